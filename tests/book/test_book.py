"""The book's configuration: Jupyter Book 1.x, clean builds, launch buttons, one environment."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_jupyter_book_one_settings():
    assert CONFIG["only_build_toc_files"] is True
    assert ".pytest_cache" in CONFIG["exclude_patterns"]
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache" and execute["timeout"] >= 60
    assert execute["allow_errors"] is False
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert "sphinx_exercise" in CONFIG["sphinx"]["extra_extensions"]
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"


def test_launch_buttons_and_one_repository_url():
    url = CONFIG["repository"]["url"]
    assert url.startswith("https://github.com/")
    buttons = CONFIG["launch_buttons"]
    assert buttons["binderhub_url"] and buttons["colab_url"]
    # No placeholder hub: the JupyterHub button shows only once an institution sets its own.
    assert "example" not in buttons.get("jupyterhub_url", "")
    assert buttons["thebe"] is False  # see _config.yml: no button that does not work
    # The Colab install cell of every chapter points at the same repository.
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        for found in re.findall(r"git\+(https://github\.com/[\w.-]+/[\w.-]+)", notebook.read_text()):
            assert found == url, f"{notebook.name} installs from {found}, not {url}"


def test_requirements_are_the_one_environment():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "-e .[course]" in lines
    names = {re.split(r"[<>=!;\[ ]", line)[0].lower() for line in lines if not line.startswith("-e")}
    for needed in ("tensorflow-cpu", "tensorflow", "keras", "matplotlib", "ipywidgets",
                   "scikit-learn", "jupyter-book", "sphinx-exercise", "nbval", "pytest",
                   "hypothesis"):
        assert needed in names, needed
    for line in lines:
        if not line.startswith("-e"):
            assert "<" in line and ">=" in line, f"bounds on both sides: {line}"
    assert any('platform_machine == "x86_64"' in line and line.startswith("tensorflow-cpu")
               for line in lines)
    assert (ROOT / "runtime.txt").read_text().strip().startswith("python-3.")
    assert not (ROOT / "binder").exists(), "Binder must read the top-level requirements.txt"


# -- Added with the readers' and instructors' work (issue 6) ---------------------------------

def test_binder_sees_only_requirements_and_runtime():
    """repo2docker reads the first configuration it finds; any of these would replace or
    extend the top-level requirements.txt and runtime.txt."""
    for name in ("binder", ".binder", "environment.yml", "Pipfile", "Pipfile.lock", "setup.py",
                 "apt.txt", "postBuild", "start", "install.R", "DESCRIPTION", "Project.toml",
                 "default.nix", "Dockerfile"):
        assert not (ROOT / name).exists(), f"{name} would change what Binder builds"
    assert (ROOT / "requirements.txt").exists() and (ROOT / "runtime.txt").exists()


def test_launch_buttons_point_at_the_repository_branch_and_lab():
    repository = CONFIG["repository"]
    assert repository["branch"] and repository["path_to_book"] == ""
    buttons = CONFIG["launch_buttons"]
    assert buttons["notebook_interface"] in ("jupyterlab", "classic")
    for key in ("binderhub_url", "colab_url", "jupyterhub_url"):
        if key in buttons:  # jupyterhub_url: only where an institution has set its hub
            assert buttons[key].startswith("https://") and not buttons[key].endswith("/"), key
    # The site's own fixes: scripts once and no dead widget state, a valid theme mode, and
    # per-chapter bibliographies that may share works (only that warning is silenced).
    sphinx = CONFIG["sphinx"]
    assert "lrlib.book.website" in sphinx["extra_extensions"]
    assert (ROOT / "lrlib" / "book" / "website_static" / "website.css").exists()
    assert sphinx["config"]["html_context"]["default_mode"] in ("light", "dark", "auto")
    silenced = sphinx["config"]["suppress_warnings"]
    assert [w for w in silenced if w.startswith("bibtex")] == ["bibtex.duplicate_citation"]


def test_reference_pages_are_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    for page in ("instructors", "glossary", "bibliography"):
        assert f"\n      - file: chapters/{page}\n" in toc, page
    assert "{glossary}" in (ROOT / "chapters" / "glossary.md").read_text()
    bibliography = (ROOT / "chapters" / "bibliography.md").read_text()
    assert "{bibliography}" in bibliography and ":filter: cited" in bibliography
    instructors = (ROOT / "chapters" / "instructors.md").read_text()
    assert "execution_mode: force" in instructors  # the tables are read afresh at each build
    assert "exercises.exercise_index" in instructors and "exercises.course_plan" in instructors


def test_ci_builds_then_tests_the_website_in_the_browser():
    ci = (ROOT / ".ci" / "run").read_text()
    order = [ci.index(step) for step in (
        "python3 -m pytest\n", "jupyter-book build . -W -n --keep-going",
        "python3 -m lrlib.book.editions student --output _build/student",
        "SITE_TESTS=required")]
    assert order == sorted(order), "tests, then the build, then the editions, then the site"
    assert "chromium" in ci and "apt-get install" in ci
    readme = (ROOT / "README.md").read_text()
    assert "python -m lrlib.book.editions student --output" in readme


def test_the_student_edition_opens_the_student_branch(tmp_path):
    """The student website's launch buttons (Binder, Colab, JupyterHub) open the notebooks
    of the `student` branch, which the instructor publishes (chapters/instructors.md)."""
    from lrlib.book import editions

    assert editions.STUDENT_BRANCH == "student"
    assert 'repository["branch"] = STUDENT_BRANCH' in (
        ROOT / "lrlib" / "book" / "editions.py").read_text()


def test_chapters_link_to_each_other_with_markdown_links():
    """A chapter links to another as ``[text](other.ipynb)``, never with ``{doc}``: the website
    renders both alike, and in JupyterLab (jupyterlab-myst) only the Markdown link opens the
    notebook (``{doc}`` points at a missing file there)."""
    import json

    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert "{doc}`" not in text, f"{path.name}: use [text](chapter.ipynb), not {{doc}}"
        for target in re.findall(r"\]\(([a-z_]+)\.ipynb\)", text):
            assert (ROOT / "chapters" / f"{target}.ipynb").exists(), (path.name, target)
