"""The book's Sphinx extension (``sphinx: extra_extensions: [lrlib.book.website]``).

It adds the course's stylesheet (``website.css``: difficulty badges on exercises) and
fixes what each page carries, as seen in the browser.

Three fixes, found with the browser test (``tests/test_browser.py``) and the HTML test
(``tests/test_site.py``):

1. **Duplicate inline scripts.** Sphinx < 8.2 adds an inline script (``add_js_file(None,
   body=...)``) registered after the builder started twice (sphinx-doc/sphinx#13402), so
   sphinx-thebe's ``const THEBE_JS_URL = ...`` is declared twice and every page throws
   ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``. Keep the first.
2. **Unused widget state.** An executed notebook stores the state of its ipywidgets, and
   myst-nb embeds it in the page's head, with a copy of every figure the widget drew
   (base64, hundreds of kilobytes). The course removes the widgets' output from the website
   (``remove-output``: the static figure stands in for them), so no widget is shown and the
   state is dead weight: drop it on pages that show no widget. The widget scripts stay:
   Thebe ("live code") needs them to draw widgets from a live kernel.
3. **Launch buttons only where they work.** The theme gives every notebook page a rocket
   menu; for a page written as a MyST markdown notebook (the instructors' page) its Colab
   link is broken (Colab opens .ipynb files only) and Binder opens it as plain text. The
   chapters are .ipynb files and keep theirs.
4. **Generated pages stay current.** A page that asks to be executed at every build
   (``execution_mode: force`` in its notebook metadata, as the instructors' page does: it
   reads the chapters' exercises) is read again at every build; otherwise Sphinx would only
   re-read it when its own file changes, and an incremental build would keep an old index.
"""

import re

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _key(script):
    attributes = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", attributes)


def clean_scripts(scripts, body):
    """The page's scripts without duplicates, and without the widget state when ``body``
    shows no widget."""
    shows_widgets = WIDGET_VIEW in (body or "")
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key in seen:
            continue
        seen.add(key)
        if not shows_widgets and script.attributes.get("type") == WIDGET_STATE:
            continue
        kept.append(script)
    return kept


def launch_only_for_ipynb(header_buttons, source_suffix):
    """The page's header buttons, without the launch menu unless the page is a .ipynb."""
    if source_suffix == ".ipynb":
        return list(header_buttons)
    return [button for button in header_buttons if button.get("label") != "launch-buttons"]


_FORCE = re.compile(r"""execution_mode["']?\s*:\s*["']?force""")


def always_executed(text):
    """Does a page's source ask to be executed at every build?"""
    return bool(_FORCE.search(text))


def _outdated(app, env, added, changed, removed):
    pages = []
    for docname in env.found_docs:
        path = env.doc2path(docname)
        if str(path).endswith((".md", ".ipynb")) and docname not in changed | added:
            with open(path, encoding="utf-8") as file:
                if always_executed(file.read()):
                    pages.append(docname)
    return pages


def _on_page(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        scripts[:] = clean_scripts(scripts, context.get("body", ""))
    buttons = context.get("header_buttons")
    if buttons and pagename in app.env.found_docs:
        suffix = str(app.env.doc2path(pagename)).rsplit(".", 1)[-1]
        buttons[:] = launch_only_for_ipynb(buttons, f".{suffix}")
        if not any(b.get("label") == "launch-buttons" for b in buttons):
            context["use_thebe"] = False


STYLESHEET = "website.css"  # in website_static/


def _add_static_path(app):
    import pathlib

    here = str(pathlib.Path(__file__).resolve().parent / "website_static")
    if here not in app.config.html_static_path:
        app.config.html_static_path.append(here)


def setup(app):
    app.connect("builder-inited", _add_static_path)
    app.add_css_file(STYLESHEET)
    # After myst-nb (500) has added the page's own scripts and the theme (501) its buttons.
    app.connect("html-page-context", _on_page, priority=900)
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
