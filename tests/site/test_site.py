"""The built website, read as HTML: launch links, clean pages, figures, exercises, the
reference pages, and the student edition without any solution.

Runs on ``_build/html`` (and ``_build/student``) as built; skips with a message when there
is no build (see helpers/built_site.py). CI runs it after building: see .ci/run.
"""

import html
import json
import re
import urllib.parse

import pytest

from helpers.built_site import (CHAPTERS, CONFIG, HTML, PAGES, ROOT, STUDENT, article, built, notebook,
                        page_html, text_of)
from lrlib.book import editions, exercises

CHAPTER_IDS = [c.docname for c in CHAPTERS]

# What must never reach a page: log lines, warnings, progress bars, tracebacks.
NOISE = [
    r"\bWARNING\b", r"\b\w*Warning:", r"\bTraceback\b", r"^[IWEF]\d{4} \d\d:\d\d",
    r"oneDNN", r"\bcuda\w*\b", r"\babsl\b", r"TF_CPP_MIN_LOG_LEVEL", r"Epoch \d+/\d+",
    r"━", r"\d+/\d+ \[=*>?\.*\]", r"\d+it/s\]", r"\d+%\|",
]


@pytest.fixture(scope="module")
def site():
    return built(HTML)


def outputs(markup):
    """The text of every cell output of a page."""
    return [text_of(m) for m in re.findall(
        r'<div class="cell_output docutils container">(.*?)</div>\s*</div>\s*</div>',
        markup, flags=re.S)]


def hrefs(markup):
    return {html.unescape(h) for h in re.findall(r'href="([^"]+)"', markup)}


def expected_launch_links(docname):
    url = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"].get("branch", "main")
    owner, repo = url.split("github.com/")[1].split("/")[:2]
    book = CONFIG["repository"].get("path_to_book", "").strip("/")
    path = f"{book}/{docname}.ipynb".lstrip("/")
    buttons = CONFIG["launch_buttons"]
    tree = "lab/tree" if buttons.get("notebook_interface") == "jupyterlab" else "tree"
    links = {
        "Binder": f"{buttons['binderhub_url'].rstrip('/')}/v2/gh/{owner}/{repo}/{branch}"
                  f"?urlpath={tree}/{path}",
        "Colab": f"{buttons['colab_url'].rstrip('/')}/github/{owner}/{repo}/blob/{branch}/"
                 f"{path}",
    }
    if buttons.get("jupyterhub_url"):  # only where an institution has set its hub
        links["JupyterHub"] = (
            f"{buttons['jupyterhub_url'].rstrip('/')}/hub/user-redirect/git-pull"
            f"?repo={urllib.parse.quote(url, safe='/')}&urlpath={tree}/{repo}/{path}"
            f"&branch={branch}")
    return links


@pytest.mark.parametrize("docname", CHAPTER_IDS)
def test_every_chapter_has_its_launch_buttons(site, docname):
    markup = page_html(docname)
    links = hrefs(markup)
    for service, link in expected_launch_links(docname).items():
        assert link in links, f"{docname}: no {service} launch link {link}"
    if not CONFIG["launch_buttons"].get("jupyterhub_url"):
        assert not any("git-pull?repo" in link for link in links), f"{docname}: a hub button"
    if CONFIG["launch_buttons"].get("thebe"):
        assert "initThebeSBT()" in markup, f"{docname}: no Thebe (live code) button"


@pytest.mark.parametrize("docname", [p for p in PAGES if p not in CHAPTER_IDS])
def test_other_pages_have_no_launch_buttons(site, docname):
    """Colab opens only .ipynb files: a page written in Markdown gets no launch menu."""
    links = " ".join(hrefs(page_html(docname)))
    assert "colab.research.google.com/github" not in links
    assert "/v2/gh/" not in links and "git-pull?repo" not in links


@pytest.mark.parametrize("docname", PAGES)
def test_pages_are_clean(site, docname):
    markup = page_html(docname)
    body = article(markup)
    assert 'class="output stderr"' not in body, f"{docname}: stderr on the page"
    for text in outputs(body):
        for pattern in NOISE:
            assert not re.search(pattern, text, flags=re.M), \
                f"{docname}: an output looks like a log line, warning or progress bar " \
                f"({pattern!r}): {text[:200]!r}"
    # Widgets cannot render without a kernel: their output is removed, and so is their
    # state (see lrlib/book/website.py).
    assert "application/vnd.jupyter.widget-view+json" not in markup, \
        f"{docname}: a widget view on the static page (tag its cell remove-output)"
    assert "application/vnd.jupyter.widget-state+json" not in markup
    # Each inline script once (sphinx-thebe's `const` twice is a SyntaxError).
    inline = re.findall(r"<script>(.*?)</script>", markup, flags=re.S)
    assert len(inline) == len(set(inline)), f"{docname}: an inline script twice"


@pytest.mark.parametrize("docname", PAGES)
def test_the_page_loads_nothing_from_outside_the_site(site, docname):
    """Scripts, stylesheets, fonts and images come from the site itself (MathJax included:
    formulas render offline); links to other sites are fine, loading from them is not."""
    markup = page_html(docname)
    loads = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", markup)
    loads += [href for tag in re.findall(r"<link\b[^>]*>", markup)
              if re.search(r'\brel="(stylesheet|preload|modulepreload|icon)"', tag)
              for href in re.findall(r'\bhref="([^"]+)"', tag)]
    loads += re.findall(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", markup)
    outside = [url for url in loads if re.match(r"(https?:)?//", url)]
    assert not outside, f"{docname}: loads from outside the site: {outside}"
    mathjax = [url for url in loads if url.split("?")[0].endswith("mathjax/tex-chtml.js")]
    # Sphinx adds MathJax to the pages that show a formula (class "math"), and only those.
    if 'class="math' in markup:
        assert mathjax, f"{docname}: MathJax is not loaded from the site"
    for url in mathjax[:1]:
        assert (HTML / docname).parent.joinpath(url.split("?")[0]).resolve().exists()


def _images(body):
    return re.findall(r"<img\b[^>]*>", body)


def _attribute(tag, name):
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(match[1]) if match else None


@pytest.mark.parametrize("docname", PAGES)
def test_figures_have_alt_text_and_captions(site, docname):
    body = article(page_html(docname))
    for tag in _images(body):
        src, alt = _attribute(tag, "src"), _attribute(tag, "alt") or ""
        assert (HTML / docname).parent.joinpath(urllib.parse.unquote(src)).resolve().exists(), \
            f"{docname}: image {src} is not in the build"
        name = src.rsplit("/", 1)[-1]
        assert len(alt) > 40 and name not in alt and not re.search(r"\.(png|svg|jpe?g)$", alt), \
            f"{docname}: image {name} needs real alt text (what it shows), got {alt!r}"
    for figure in re.findall(r"<figure\b.*?</figure>", body, flags=re.S):
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, flags=re.S)
        assert caption and len(text_of(caption[1])) > 20, f"{docname}: a figure without caption"


@pytest.mark.parametrize("docname", CHAPTER_IDS)
def test_every_experiment_has_a_static_figure(site, docname):
    """The website has no kernel: a live widget's cell is removed, and the page shows at
    least as many figures as the notebook has live widgets."""
    cells = notebook(docname)["cells"]
    live = sum("widgets.live(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")
    body = article(page_html(docname))
    images = [t for t in _images(body) if "/_images/" in (_attribute(t, "src") or "")]
    assert len(images) >= max(live, 1), f"{docname}: {live} live widgets, {len(images)} figures"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_has_its_title_and_exercises_with_solutions_after_them(site, chapter):
    markup = page_html(chapter.docname)
    title = re.search(r"<title>(.*?)</title>", markup, flags=re.S)[1]
    assert html.unescape(title).startswith(f"{chapter.number}. {chapter.title}"), title
    body = article(markup)
    labels = [e.label for e in chapter.exercises]
    found = re.findall(r'<div class="exercise[^"]*" id="([^"]+)"', body)
    assert found == labels, f"exercises on the page {found}, in the notebook {labels}"
    for n, label in enumerate(labels):
        start = body.index(f'id="{label}"')
        stop = body.index(f'id="{labels[n + 1]}"') if n + 1 < len(labels) else len(body)
        solution = re.search(r'<div class="solution ([^"]*)"[^>]*>\s*<p class="admonition-title"'
                             r'[^>]*>Solution to<a class="reference internal" href="#'
                             + re.escape(label) + '"', body[start:stop])
        assert solution, f"{label}: no solution between it and the next exercise"
        assert "dropdown" in solution[1].split(), f"{label}: its solution is not a dropdown"


def test_instructors_page_lists_every_exercise_by_difficulty(site):
    body = article(page_html("chapters/instructors"))
    text = text_of(body)
    for chapter in CHAPTERS:
        for exercise in chapter.exercises:
            page = f"{chapter.docname.split('/')[-1]}.html#{exercise.label}"
            assert f'href="{page}"' in body, f"the exercise index has no link to {page}"
            assert exercise.label in text
            for checker in exercise.checkers:
                assert checker in text
    for level in exercises.DIFFICULTIES:
        assert level in text
    assert "python -m lrlib.book.editions student --output" in text
    for service in ("Binder", "Colab", "JupyterHub", "nbgitpuller"):
        assert service in text


def test_glossary_and_bibliography(site):
    glossary = article(page_html("chapters/glossary"))
    terms = re.findall(r'<dt id="term-([^"]+)"', glossary)
    assert len(terms) >= 30, terms
    for term in ("learning-rate", "step", "epoch", "warmup", "sharpness", "stability-limit"):
        assert term in terms
    cited = set()
    for docname in PAGES:
        source = (ROOT / docname).with_suffix(".ipynb")
        source = source if source.exists() else source.with_suffix(".md")
        for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", source.read_text()):
            cited |= {key.strip() for key in keys.split(",")}
    bibliography = article(page_html("chapters/bibliography"))
    entries = re.findall(r'<div class="citation" id="[^"]+" role="doc-biblioentry">', bibliography)
    assert len(entries) == len(cited), f"{len(entries)} works listed, {len(cited)} cited"


# -- the student edition --------------------------------------------------------------------

@pytest.fixture(scope="module")
def student(site):
    return built(STUDENT, how="python -m lrlib.book.editions student --output _build/student")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_student_edition_has_every_exercise_and_no_solution(student, chapter):
    full = article(page_html(chapter.docname))
    edition = page_html(chapter.docname, STUDENT)
    body = article(edition)
    assert "Student edition" in edition, "the student edition says what it is"
    url = CONFIG["repository"]["url"].rstrip("/")
    owner, repo = url.split("github.com/")[1].split("/")[:2]
    launch = " ".join(hrefs(edition))
    assert f"/v2/gh/{owner}/{repo}/{editions.STUDENT_BRANCH}?" in launch, \
        "the student edition's Binder button opens the student notebooks"
    assert f"/github/{owner}/{repo}/blob/{editions.STUDENT_BRANCH}/" in launch
    found = re.findall(r'<div class="exercise[^"]*" id="([^"]+)"', body)
    assert found == [e.label for e in chapter.exercises]
    assert not re.search(r'class="solution\b', body), "a solution admonition"
    assert "-solution-" not in body and "Solution to" not in body
    full_text, edition_text = text_of(full), text_of(body)
    fingerprints = editions.solution_fingerprints(notebook(chapter.docname))
    for label, snippets in fingerprints.items():
        shown = [s for s in snippets if s in full_text]
        assert shown, f"{label}: none of {snippets} is on the full website (test is blind)"
        for snippet in snippets:
            assert snippet not in edition_text, f"{label}: solution text {snippet!r} leaked"


# -- scrubbable experiments -----------------------------------------------------------------

def scrubbers(body):
    """The scrubbable experiments of a page (lrlib.course.widgets.scrubber)."""
    return re.findall(r'<figure class="lr-scrubber".*?</figure>', body, flags=re.S)


@pytest.mark.parametrize("docname", CHAPTER_IDS)
def test_every_live_widget_has_a_scrubber(site, docname):
    """The website has no kernel: each live widget of a chapter has its scrubber on the page
    (a range input over frames drawn by the same function), its frames image files of the
    site, each with its alt text, and the site's scrubber.js to move it."""
    cells = notebook(docname)["cells"]
    live = sum("widgets.live(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")
    markup = page_html(docname)
    found = scrubbers(article(markup))
    assert len(found) >= live, f"{docname}: {live} live widgets, {len(found)} scrubbers"
    if found:
        script = re.findall(r'<script\b[^>]*\bsrc="([^"]*scrubber\.js[^"]*)"', markup)
        assert script, f"{docname}: scrubber.js is not loaded"
        assert (HTML / docname).parent.joinpath(script[0].split("?")[0]).resolve().exists()
    for figure in found:
        assert "data:image" not in figure, f"{docname}: frames left in the page as data: URIs"
        field = re.search(r'<input type="range"[^>]*>', figure)[0]
        frames = json.loads(html.unescape(_attribute(field, "data-frames")))
        assert len(frames) >= 2, f"{docname}: a scrubber with {len(frames)} frame(s)"
        assert _attribute(field, "max") == str(len(frames) - 1)
        start = int(_attribute(field, "value"))
        assert _attribute(field, "aria-valuetext").endswith(f"= {frames[start]['label']}")
        ident = _attribute(field, "id")
        assert f'<label for="{ident}">' in figure and f'<output for="{ident}"' in figure
        img = re.search(r"<img\b[^>]*>", figure)[0]
        assert _attribute(img, "src") == frames[start]["src"]
        for item in frames:
            path = (HTML / docname).parent.joinpath(urllib.parse.unquote(item["src"]))
            assert path.resolve().exists(), f"{docname}: frame {item['src']} is not in the build"
            assert len(item["alt"]) > 40 and item["label"] in item["alt"], item["alt"]
        assert len({item["src"] for item in frames}) >= 2, f"{docname}: the frames are alike"
