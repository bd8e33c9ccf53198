"""Benchmarks of the course: side-by-side ratios, written to bench/results.json (see run.py)."""
