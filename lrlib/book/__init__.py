"""The book's tooling: used by the build and by instructors, never imported by a chapter.

- :mod:`lrlib.book.exercises`: reads every exercise of the book (the instructors' index and
  course plan).
- :mod:`lrlib.book.editions`: the solution-free student edition
  (``python -m lrlib.book.editions student``).
- :mod:`lrlib.book.colab`: the Colab notebooks, the chapters in plain Markdown
  (``python -m lrlib.book.editions colab``).
- :mod:`lrlib.book.grading`: the nbgrader assignments generated from the chapters.
- :mod:`lrlib.book.rubrics`: the points of every exercise and the rubrics of the open ones.
- :mod:`lrlib.book.website`: the book's Sphinx extension (loaded by ``_config.yml``).
"""
