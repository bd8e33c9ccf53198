"""The book's Sphinx extension (``sphinx: extra_extensions: [lrlib.book.website]``).

It adds the course's stylesheet (``website.css``: difficulty badges on exercises) and
fixes what each page carries, as seen in the browser.

Three fixes, found with the browser test (``tests/site/test_browser.py``) and the HTML test
(``tests/site/test_site.py``):

1. **Duplicate inline scripts.** Sphinx < 8.2 adds an inline script (``add_js_file(None,
   body=...)``) registered after the builder started twice (sphinx-doc/sphinx#13402), so
   sphinx-thebe's ``const THEBE_JS_URL = ...`` is declared twice and every page throws
   ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``. Keep the first.
2. **Unused widget state.** An executed notebook stores the state of its ipywidgets, and
   myst-nb embeds it in the page's head, with a copy of every figure the widget drew
   (base64, hundreds of kilobytes). The course removes the widgets' output from the website
   (``remove-output``: the static figure stands in for them), so no widget is shown and the
   state is dead weight: drop it on pages that show no widget.
3. **Launch buttons only where they work.** The theme gives every notebook page a rocket
   menu; for a page written as a MyST markdown notebook (the instructors' page) its Colab
   link is broken (Colab opens .ipynb files only) and Binder opens it as plain text. The
   chapters are .ipynb files and keep theirs.
4. **Formulas without network.** MathJax 3 is served from the site itself, not from a CDN:
   :func:`mathjax_files` copies the part of MathJax a page needs (the TeX-to-HTML component,
   its fonts and the extensions it loads on demand; about 4 MB) from the
   ``django-static-mathjax`` package (MathJax 3.2.2 as files, from PyPI, installed by
   ``requirements.txt``) into the site's ``_static/mathjax/``, and ``mathjax_path`` points
   there. A downloaded copy of the site, or a classroom without network, shows formulas.
5. **No script from elsewhere.** Pages that show no widget get no widget scripts (require.js
   and the widget manager come from a CDN): with the state gone they would do nothing.
6. **Generated pages stay current.** A page that asks to be executed at every build
   (``execution_mode: force`` in its notebook metadata, as the instructors' page does: it
   reads the chapters' exercises) is read again at every build; otherwise Sphinx would only
   re-read it when its own file changes, and an incremental build would keep an old index.
7. **Scrubbable experiments.** A chapter's scrubber (``lrlib.course.widgets.scrubber``, an HTML
   output with a range input and its frames as data: URIs) becomes a page that loads one
   frame, not twenty: :func:`frames_to_files` writes each frame to ``_images/scrub-<hash>.png``
   (the same frame once, whatever the page) and puts its path in the page instead; the
   site's ``scrubber.js`` (added to every page, no CDN) swaps the frames under the range
   input, after fetching them once the figure comes near the screen.
"""

import re

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _key(script):
    attributes = tuple(sorted((k, str(v)) for k, v in script.attributes.items()))
    return (script.filename or "", attributes)


#: Scripts that only serve widgets: require.js and the widget manager, from a CDN.
WIDGET_SCRIPTS = ("require.min.js", "require.js", "@jupyter-widgets/html-manager")


def clean_scripts(scripts, body):
    """The page's scripts without duplicates, and without the widget state and the widget
    scripts when ``body`` shows no widget."""
    shows_widgets = WIDGET_VIEW in (body or "")
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key in seen:
            continue
        seen.add(key)
        if not shows_widgets and (script.attributes.get("type") == WIDGET_STATE
                                  or any(name in (script.filename or "")
                                         for name in WIDGET_SCRIPTS)):
            continue
        kept.append(script)
    return kept


#: What :func:`mathjax_files` copies from MathJax's ``es5`` folder.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex", "output/chtml.js", "output/chtml", "ui",
                 "a11y", "adaptors")
#: ``mathjax_path``: MathJax 3's TeX input with HTML output, served from ``_static``.
MATHJAX_PATH = "mathjax/tex-chtml.js"


def mathjax_source():
    """The ``es5`` folder of MathJax 3 as the ``django-static-mathjax`` package installs it."""
    import importlib.util
    import pathlib

    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax is missing: pip install -r requirements.txt "
                           "(django-static-mathjax serves it from the site, no CDN)")
    es5 = pathlib.Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").exists():
        raise RuntimeError(f"no MathJax 3 in {es5}: reinstall django-static-mathjax")
    return es5


def mathjax_files(target):
    """Copy the MathJax files a page needs into ``target/mathjax``; returns ``target``.

    ``target`` becomes a static path of the site, so the files end in ``_static/mathjax/``.
    """
    import pathlib
    import shutil

    source, target = mathjax_source(), pathlib.Path(target)
    out = target / "mathjax"
    for part in MATHJAX_PARTS:
        found = source / part
        if found.is_dir():
            shutil.copytree(found, out / part, dirs_exist_ok=True)
        else:
            (out / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(found, out / part)
    return target


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


_FRAME = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
_SCRUBBER = re.compile(r'<figure class="lr-scrubber".*?</figure>', flags=re.S)


def frames_to_files(body, pagename, outdir):
    """``body`` with each scrubber's data: URI frames written to ``outdir/_images`` and
    replaced by their paths relative to the page; returns ``(body, written)``, ``written``
    the new files' paths."""
    import base64
    import hashlib
    import pathlib
    import posixpath

    images = pathlib.Path(outdir) / "_images"
    up = posixpath.relpath("_images", posixpath.dirname(pagename) or ".")
    written = []

    def to_file(match):
        data = base64.b64decode(match[1])
        name = f"scrub-{hashlib.sha256(data).hexdigest()[:20]}.png"
        path = images / name
        if not path.exists():
            images.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        return f"{up}/{name}"

    def figure(match):
        return _FRAME.sub(to_file, match[0])

    return _SCRUBBER.sub(figure, body or ""), written


def _on_page(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and "lr-scrubber" in body:
        context["body"], _ = frames_to_files(body, pagename, app.outdir)
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
SCRUBBER_SCRIPT = "scrubber.js"  # in website_static/: lrlib.course.widgets.scrubber


def _add_static_path(app):
    import pathlib

    here = str(pathlib.Path(__file__).resolve().parent / "website_static")
    mathjax = str(mathjax_files(pathlib.Path(app.doctreedir).parent / "mathjax_static"))
    for path in (here, mathjax):
        if path not in app.config.html_static_path:
            app.config.html_static_path.append(path)


def _local_mathjax(app, config):
    config.mathjax_path = MATHJAX_PATH


def setup(app):
    app.connect("config-inited", _local_mathjax)
    app.connect("builder-inited", _add_static_path)
    app.add_css_file(STYLESHEET)
    app.add_js_file(SCRUBBER_SCRIPT, defer="defer")
    # After myst-nb (500) has added the page's own scripts and the theme (501) its buttons.
    app.connect("html-page-context", _on_page, priority=900)
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
