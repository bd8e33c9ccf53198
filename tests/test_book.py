"""The book's configuration: Jupyter Book 1.x, clean builds, launch buttons, one environment."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
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
    assert buttons["binderhub_url"] and buttons["colab_url"] and buttons["jupyterhub_url"]
    assert buttons["thebe"] is True
    # The Colab install cell of every chapter points at the same repository.
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        for found in re.findall(r"git\+(https://github\.com/[\w.-]+/[\w.-]+)", notebook.read_text()):
            assert found == url, f"{notebook.name} installs from {found}, not {url}"


def test_requirements_are_the_one_environment():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "-e ." in lines
    names = {re.split(r"[<>=!;\[ ]", line)[0].lower() for line in lines if line != "-e ."}
    for needed in ("tensorflow-cpu", "tensorflow", "keras", "matplotlib", "ipywidgets",
                   "scikit-learn", "jupyter-book", "sphinx-exercise", "nbval", "pytest",
                   "hypothesis"):
        assert needed in names, needed
    for line in lines:
        if line != "-e .":
            assert "<" in line and ">=" in line, f"bounds on both sides: {line}"
    assert any('platform_machine == "x86_64"' in line and line.startswith("tensorflow-cpu")
               for line in lines)
    assert (ROOT / "runtime.txt").read_text().strip().startswith("python-3.")
    assert not (ROOT / "binder").exists(), "Binder must read the top-level requirements.txt"
