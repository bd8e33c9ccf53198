"""lrlib/book/website.py: scripts once, no unused widget state, launch buttons on notebooks,
MathJax from the site."""

import pathlib

from sphinx.builders.html import _assets

from lrlib.book import website as page_fixes  # noqa: the extension is loaded as lrlib.book.website

ROOT = pathlib.Path(__file__).resolve().parents[2]

THEBE = 'const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"'
REQUIRE = "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js"


def state():
    return _assets._JavaScript(None, body='{"state": {}}', type=page_fixes.WIDGET_STATE)


def scripts():
    # As Sphinx < 8.2 lists them: the same inline script once as None, once as ''.
    js = _assets._JavaScript
    return [js("theme.js"), js(None, body=THEBE), js("", body=THEBE), state(), js(REQUIRE),
            js("theme.js")]


def test_duplicates_go_and_unused_widget_state_and_scripts_go():
    kept = page_fixes.clean_scripts(scripts(), "<p>A page</p>")
    # No widget on the page: its state and the CDN scripts that would draw it go too.
    assert [(s.filename, s.attributes.get("body")) for s in kept] == [
        ("theme.js", None), (None, THEBE)]


def test_a_page_that_shows_a_widget_keeps_its_state_and_scripts():
    body = f'<script type="{page_fixes.WIDGET_VIEW}">{{}}</script>'
    kept = page_fixes.clean_scripts(scripts(), body)
    assert state() in kept and any(s.filename == REQUIRE for s in kept)
    assert sum(s.attributes.get("body") == THEBE for s in kept) == 1


def test_the_extension_is_in_the_book():
    config = (ROOT / "_config.yml").read_text()
    assert "- lrlib.book.website" in config


def test_launch_buttons_only_on_ipynb_pages():
    buttons = [{"label": "download-buttons"}, {"label": "launch-buttons"}]
    assert page_fixes.launch_only_for_ipynb(buttons, ".ipynb") == buttons
    assert page_fixes.launch_only_for_ipynb(buttons, ".md") == [{"label": "download-buttons"}]


def test_pages_executed_at_every_build_are_read_at_every_build():
    assert page_fixes.always_executed("---\nmystnb:\n  execution_mode: force\n---\n# Page")
    assert page_fixes.always_executed('{"metadata": {"mystnb": {"execution_mode": "force"}}}')
    assert not page_fixes.always_executed("---\nmystnb:\n  execution_mode: cache\n---")
    instructors = (ROOT / "chapters" / "instructors.md").read_text()
    assert page_fixes.always_executed(instructors)


def test_mathjax_is_copied_from_the_package_for_the_site(tmp_path):
    target = page_fixes.mathjax_files(tmp_path)
    mathjax = target / "mathjax"
    assert (mathjax / "tex-chtml.js").stat().st_size > 500_000
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 20
    assert (mathjax / "input" / "tex" / "extensions").is_dir()  # loaded on demand
    size = sum(p.stat().st_size for p in mathjax.rglob("*") if p.is_file())
    assert size < 6_000_000, f"MathJax takes {size / 1e6:.1f} MB of the site"
    assert page_fixes.MATHJAX_PATH == "mathjax/tex-chtml.js"


def test_mathjax_comes_from_requirements():
    requirements = (ROOT / "requirements.txt").read_text()
    assert "django-static-mathjax" in requirements


def test_scrubber_frames_become_image_files(tmp_path):
    """A scrubber's data: URI frames are written once to _images/ and the page points there."""
    import html as html_module
    import json

    from lrlib.course import widgets

    @widgets.experiment(figsize=(1.5, 1.0))
    def dot(fig, size=1):
        fig.subplots().set_title(f"size {size}")

    markup = widgets.scrubber(dot, "size", [1, 2, 1])._repr_html_()
    body = f"<p>before data:image/png;base64,AAAA</p>{markup}<p>after</p>"
    out, written = page_fixes.frames_to_files(body, "chapters/intro", tmp_path)
    scrub = out[out.index("<figure"):out.index("</figure>")]
    assert "data:image/png" not in scrub
    assert "<p>before data:image/png;base64,AAAA</p>" in out  # outside a scrubber: untouched
    assert len(written) == 2 and all(p.parent == tmp_path / "_images" for p in written)
    field = html_module.unescape(out.split('data-frames="')[1].split('"')[0])
    sources = [item["src"] for item in json.loads(field)]
    assert sources[0] == sources[2] and all(s.startswith("../_images/scrub-") for s in sources)
    assert all((tmp_path / "chapters" / s).resolve().exists() for s in sources)
    again, more = page_fixes.frames_to_files(body, "index", tmp_path)
    assert not more and 'src="_images/scrub-' in again  # written once; paths from the root
