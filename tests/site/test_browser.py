"""Every page of the built website in headless Chromium, as a reader sees it.

For each page of the toc: the page loads with every other host blocked (no CDN, no network),
requests nothing from outside the site, has its formulas typeset by the site's own MathJax
(no raw TeX left), every image loads, no error comes from the site's own files (console errors, uncaught exceptions,
missing files), and the page has its title; chapters have their exercises, each solution
hidden in a dropdown that opens. Screenshots of every page go to ``_build/screenshots/``
(CI keeps them as an artefact).

Runs on ``_build/html`` as built (skips without a build: see helpers/built_site.py) and needs
Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it where it is missing).
"""

import re
import time

import pytest

from helpers.built_site import CHAPTERS, HTML, PAGES, SCREENSHOTS, built
from helpers.chromium import BrowserError, Chromium, find_chromium, serve

CHAPTER_BY_DOCNAME = {c.docname: c for c in CHAPTERS}


@pytest.fixture(scope="module")
def base_url():
    site = built(HTML)
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the "
                    "browser test needs it")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with Chromium(width=1300, height=900) as chromium:
        yield chromium


def own_errors(problems, base_url):
    """The problems that come from the site's own files (served from ``base_url``), not from
    a CDN; the browser's own request for /favicon.ico does not count."""
    return [p for p in problems
            if p["url"].startswith(base_url) and not p["url"].endswith("/favicon.ico")]


@pytest.mark.parametrize("docname", PAGES)
def test_page_in_the_browser(browser, base_url, docname):
    started = time.monotonic()
    try:
        problems = browser.open(f"{base_url}{docname}.html")
    except BrowserError as error:
        pytest.fail(f"{docname}: {error}")
    errors = own_errors(problems, base_url)
    assert not errors, f"{docname}: errors from the site's own files: {errors}"
    # Formulas render with no network: MathJax comes from the site, and once it has typeset
    # the page no TeX is left in the text.
    formulas = browser.evaluate(
        "window.MathJax && MathJax.startup ? MathJax.startup.promise.then("
        "() => document.querySelectorAll('mjx-container').length) : -1")
    # The article's text without its code (a Matplotlib label such as "$\\eta$" in a code
    # cell is code, not a formula MathJax left untypeset).
    text = browser.evaluate(
        "(() => { const a = document.querySelector('article'); if (!a) return '';"
        " const c = a.cloneNode(true); c.querySelectorAll('pre, code').forEach(e => e.remove());"
        " document.body.appendChild(c); const t = c.innerText; c.remove(); return t; })()")
    raw = re.findall(r"\\\(|\\\)|\$\$|\\\[|\\(?:eta|lambda|frac|sqrt)\b", text)
    assert not raw, f"{docname}: raw TeX on the page ({raw[:5]}), MathJax did not typeset it"
    if docname in CHAPTER_BY_DOCNAME:
        assert formulas > 0, f"{docname}: no formula typeset"
    outside = [url for url in browser.requested() if not url.startswith(base_url)]
    assert not outside, f"{docname}: the page requested files from outside the site: {outside}"

    images = browser.evaluate(
        "[...document.images].map(i => ({src: i.getAttribute('src'), loaded: i.complete "
        "&& i.naturalWidth > 0, shown: i.getBoundingClientRect().width}))")
    broken = [i["src"] for i in images if not i["loaded"]]
    assert not broken, f"{docname}: images that did not load: {broken}"
    figures = [i for i in images if "/_images/" in i["src"]]
    assert all(i["shown"] >= 300 for i in figures), \
        f"{docname}: a figure is drawn narrower than 300 px: {figures}"

    title = browser.evaluate("document.title")
    heading = browser.evaluate("document.querySelector('article h1')?.textContent ?? ''")
    assert heading.strip(" #¶\n"), f"{docname}: no <h1> heading"
    assert heading.strip(" #¶\n").rstrip("#").strip() in title, (title, heading)

    chapter = CHAPTER_BY_DOCNAME.get(docname)
    if chapter is not None:
        check_exercises(browser, chapter)

    name = docname.replace("/", "-")
    shots = browser.screenshot(SCREENSHOTS / f"{name}.png")
    assert shots
    print(f"{docname}: {time.monotonic() - started:.1f} s, {len(images)} images, "
          f"{len(shots)} screenshot(s)")


def check_exercises(browser, chapter):
    labels = [e.label for e in chapter.exercises]
    found = browser.evaluate("[...document.querySelectorAll('div.exercise')].map(e => e.id)")
    assert found == labels, f"{chapter.docname}: exercises {found}, expected {labels}"
    # Each solution is collapsed until its button is clicked, then shows its content.
    state = browser.evaluate("""[...document.querySelectorAll('div.solution.dropdown')].map(s => {
        const body = s.querySelector('section');
        const before = body.getBoundingClientRect().height;
        s.querySelector('button.toggle-button').click();
        return {id: s.id, before: before, after: body.getBoundingClientRect().height,
                target: s.querySelector('.admonition-title a')?.getAttribute('href')};
    })""")
    assert [s["target"] for s in state] == [f"#{label}" for label in labels if any(
        e.label == label and e.has_solution for e in chapter.exercises)]
    for solution in state:
        assert solution["before"] == 0, f"{solution['id']} is not hidden before a click"
        assert solution["after"] > 0, f"{solution['id']} does not open on a click"
    browser.evaluate("[...document.querySelectorAll('div.solution.dropdown button.toggle-button')]"
                     ".forEach(b => b.click()); true")  # closed again for the screenshot


def test_the_check_is_not_blind(browser, tmp_path):
    """A page with a broken image and a script error of the site's own is caught; the same
    failures from another host are not the site's."""
    (tmp_path / "page.html").write_text(
        "<html><head><title>t</title><script src='https://cdn.invalid/x.js'></script>"
        "</head><body><h1>t</h1><img src='missing.png' alt='gone'>"
        "<script>nosuchfunction()</script></body></html>")
    with serve(tmp_path) as url:
        problems = browser.open(f"{url}page.html")
    kinds = {(p["kind"], re.sub(r".*/", "", p["url"])) for p in own_errors(problems, url)}
    assert ("http", "missing.png") in kinds and ("exception", "page.html") in kinds
    assert not own_errors([p for p in problems if "cdn.invalid" in p["url"]], url)
    assert any("cdn.invalid" in p["url"] for p in problems)


SCRUB_PAGES = [c.docname for c in CHAPTERS]

_STATE = """[...document.querySelectorAll('figure.lr-scrubber')].map(f => {
    const input = f.querySelector('input[type=range]');
    const img = f.querySelector('img.lr-scrubber-frame');
    return {id: input.id, value: input.value, max: input.max, disabled: input.disabled,
            label: f.querySelector('output').textContent, aria: input.getAttribute('aria-valuetext'),
            src: img.getAttribute('src'), alt: img.alt, loaded: img.complete && img.naturalWidth > 0};
})"""


def _key(browser, key, keycode):
    """Press and release one key in the page, as a reader's keyboard does."""
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", session=True, type=kind, key=key, code=key,
                     windowsVirtualKeyCode=keycode, nativeVirtualKeyCode=keycode)


def _settled(browser, seconds=5.0):
    """The scrubbers' state once every frame shown has loaded."""
    deadline = time.monotonic() + seconds
    while True:
        state = browser.evaluate(_STATE)
        if all(s["loaded"] for s in state) or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


@pytest.mark.parametrize("docname", SCRUB_PAGES)
def test_scrubbers_move_in_the_browser(browser, base_url, docname):
    """On every page with a scrubber: focus its range input and press the right arrow (the
    keyboard), then set its value and fire an input event (a drag): the frame, its alt
    text, the value shown and aria-valuetext change, and the new frame loads."""
    problems = browser.open(f"{base_url}{docname}.html")
    assert not own_errors(problems, base_url), own_errors(problems, base_url)
    before = _settled(browser)
    if not before:
        pytest.skip(f"{docname}: no scrubber on this page")
    for index, start in enumerate(before):
        assert not start["disabled"], f"{docname}: scrubber.js did not enable {start['id']}"
        assert start["loaded"], f"{docname}: the first frame of {start['id']} did not load"
        # The keyboard: one step to the right (to the left at the last frame).
        right = start["value"] != start["max"]
        browser.evaluate(f"document.getElementById({start['id']!r}).scrollIntoView();"
                         f"document.getElementById({start['id']!r}).focus(); true")
        _key(browser, *(("ArrowRight", 39) if right else ("ArrowLeft", 37)))
        moved = _settled(browser)[index]
        assert int(moved["value"]) == int(start["value"]) + (1 if right else -1), moved
        for field in ("src", "alt", "label", "aria"):
            assert moved[field] != start[field], f"{docname}: the key did not change {field}"
        assert moved["aria"].endswith(f"= {moved['label']}") and moved["loaded"]
        # A drag: the value set and an input event, to the other end.
        target = 0 if right and int(start["value"]) > 0 else int(start["max"])
        browser.evaluate(f"(() => {{const i = document.getElementById({start['id']!r});"
                         f"i.value = {target}; i.dispatchEvent(new Event('input')); "
                         f"return true;}})()")
        dragged = _settled(browser)[index]
        assert int(dragged["value"]) == target and dragged["src"] != moved["src"]
        assert dragged["label"] != moved["label"] and dragged["loaded"], dragged
    outside = [url for url in browser.requested() if not url.startswith(base_url)]
    assert not outside, f"{docname}: the scrubbers requested {outside}"
    errors = own_errors(browser.problems(), base_url)
    assert not errors, f"{docname}: {errors}"
