"""The built website, for the tests that read it (test_site.py, test_browser.py).

These tests check ``_build/html`` as ``jupyter-book build .`` left it (and the student
edition in ``_build/student``); they never build it themselves, since a build executes
every notebook. Without a build, or with one older than the book's sources, they skip with a
message saying how to build; CI builds first and sets ``SITE_TESTS=required``, which turns
those skips into failures.
"""

import html
import json
import os
import pathlib
import re

import pytest
import yaml

from lrlib.book import exercises

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student"
SCREENSHOTS = ROOT / "_build" / "screenshots"
REQUIRED = os.environ.get("SITE_TESTS") == "required"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

# The chapters (notebooks in the toc, in order) and every page of the toc.
CHAPTERS = exercises.read_book(ROOT)


PAGES = exercises.toc_files(ROOT)  # every docname of the toc, landing page first


def source_of(docname):
    for suffix in (".ipynb", ".md"):
        path = ROOT / f"{docname}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(docname)


def notebook(docname):
    return json.loads((ROOT / f"{docname}.ipynb").read_text())


def _missing(message):
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def built(directory=HTML, how="jupyter-book build ."):
    """``directory`` if it holds a website at least as new as every page's source; else skip
    (or fail under SITE_TESTS=required) with a message saying how to build it."""
    if not (directory / "index.html").exists():
        _missing(f"no website in {directory.relative_to(ROOT)}: run `{how}` first to test it")
    for docname in PAGES:
        page = directory / f"{docname}.html"
        if not page.exists():
            _missing(f"{page.relative_to(ROOT)} is missing: run `{how}` again")
        if source_of(docname).stat().st_mtime > page.stat().st_mtime:
            _missing(f"{page.relative_to(ROOT)} is older than {source_of(docname).name}: "
                     f"run `{how}` again to test it")
    return directory


def page_html(docname, directory=HTML):
    return (directory / f"{docname}.html").read_text()


def text_of(markup):
    """The visible text of an HTML fragment, whitespace collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def article(markup):
    """The page's main article (without the theme's navigation, header and footer)."""
    match = re.search(r'<article class="bd-article">(.*?)</article>', markup, flags=re.S)
    assert match, "no <article class=\"bd-article\"> on the page"
    return match[1]
