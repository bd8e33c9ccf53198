"""Where runs of gradient descent end up: in which minimum, how many in each, near which saddle.

The landscapes of :mod:`lrlib.landscapes` know their minima; these helpers read an
:class:`lrlib.descent.Ensemble` (many runs at once) and say which minimum each run *settled*
in, that is, stayed within ``tolerance`` of for its last ``last`` points. A run that is still
moving, or that diverged, has settled nowhere (``-1``).

- :func:`settled_minima`: one index per run (into ``landscape.minima``, global first), or -1.
- :func:`basin_shares`: the share of runs that settled in each minimum, and nowhere.
- :func:`critical_points`: minima and saddle points found by Newton's method from many starts.
- :func:`steps_to_leave`: how many steps each run takes to move a distance away from a point.

Example:
    >>> import numpy as np
    >>> from lrlib.landscapes import DoubleWell
    >>> from lrlib.descent import descend_many
    >>> from lrlib.basins import basin_shares
    >>> well = DoubleWell()
    >>> runs = descend_many(well, np.array([[-1.2], [1.0], [2.5]]), 0.01, steps=2000)
    >>> basin_shares(well, runs)          # index 0 = the wide (global) minimum, 1 = the sharp one
    {0: 0.6666666666666666, 1: 0.3333333333333333, -1: 0.0}
"""

import numpy as np

from lrlib import validation
from lrlib.descent import Ensemble
from lrlib.landscapes import Landscape

__all__ = ["settled_minima", "basin_shares", "critical_points", "steps_to_leave"]


def _check(landscape, ensemble):
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    if not isinstance(ensemble, Ensemble):
        raise ValueError(f"`ensemble` must be an lrlib.descent.Ensemble, got {ensemble!r}")


def settled_minima(landscape, ensemble, last=20, tolerance=0.05):
    """For each run, the index of the minimum it settled in, or -1 (still moving or diverged).

    A run has settled in minimum ``k`` when each of its last ``last`` points lies within
    ``tolerance`` of ``landscape.minima[k]``.
    """
    _check(landscape, ensemble)
    last = validation.positive_integer("last", last)
    tolerance = validation.positive("tolerance", tolerance)
    tail = ensemble.points[-last:]  # (last, n, d)
    found = landscape.nearest_minimum(tail, tolerance=tolerance)  # (last, n)
    same = np.all(found == found[-1], axis=0)
    return np.where(same & ~ensemble.diverged, found[-1], -1)


def basin_shares(landscape, ensemble, last=20, tolerance=0.05):
    """The share of runs that settled in each minimum, keyed by its index, and ``-1``: nowhere.

    The shares add up to 1. Keys follow ``landscape.minima`` (0 is the global minimum).
    """
    found = settled_minima(landscape, ensemble, last=last, tolerance=tolerance)
    keys = list(range(len(landscape.minima))) + [-1]
    return {k: float(np.mean(found == k)) for k in keys}


def critical_points(landscape, starts, iterations=60, tolerance=1e-9):
    """Critical points (zero gradient) found by Newton's method from each of ``starts``.

    Newton's method $x \\leftarrow x - H^{-1} \\nabla L$ converges to the nearest critical point
    of any kind: minimum, maximum or saddle. Returns a dict with ``"minima"`` and
    ``"saddles"`` (a saddle has Hessian eigenvalues of both signs), each an array of distinct
    points of shape ``(k, d)``, and ``"saddle_curvatures"``: each saddle's most negative
    Hessian eigenvalue.
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(f"`landscape` must be an lrlib landscape, got {landscape!r}")
    x = np.atleast_2d(np.asarray(starts, dtype=float))
    if x.shape[-1] != landscape.dim:
        raise ValueError(f"`starts` must have shape (n, {landscape.dim}), got {x.shape}")
    iterations = validation.positive_integer("iterations", iterations)
    tolerance = validation.positive("tolerance", tolerance)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            g, h = landscape.grad(x), landscape.hessian(x)
            singular = np.abs(np.linalg.det(h)) < 1e-12
            h = np.where(singular[:, None, None], np.eye(landscape.dim), h)
            x = x - np.linalg.solve(h, g[..., None])[..., 0]
            x = np.where(np.isfinite(x), x, np.nan)
    ok = np.all(np.isfinite(x), axis=-1)
    x = x[ok]
    x = x[np.linalg.norm(landscape.grad(x), axis=-1) < tolerance]
    distinct = []
    for point in x:
        if all(np.linalg.norm(point - other) > 1e-6 for other in distinct):
            distinct.append(point)
    points = np.array(distinct).reshape(-1, landscape.dim)
    eigenvalues = np.linalg.eigvalsh(landscape.hessian(points)) if len(points) else np.zeros((0, 1))
    minima = points[np.all(eigenvalues > 0, axis=-1)]
    mixed = (eigenvalues.min(axis=-1) < 0) & (eigenvalues.max(axis=-1) > 0) if len(points) else []
    return {
        "minima": minima,
        "saddles": points[mixed],
        "saddle_curvatures": eigenvalues[mixed, 0] if len(points) else np.zeros(0),
    }


def steps_to_leave(ensemble, point, radius):
    """For each run, the first step at which it is farther than ``radius`` from ``point``.

    Returns an int array (one entry per run); a run that never leaves gets ``-1``.
    """
    if not isinstance(ensemble, Ensemble):
        raise ValueError(f"`ensemble` must be an lrlib.descent.Ensemble, got {ensemble!r}")
    radius = validation.positive("radius", radius)
    point = np.asarray(point, dtype=float)
    distance = np.linalg.norm(ensemble.points - point, axis=-1)  # (steps + 1, n)
    away = distance > radius
    first = np.argmax(away, axis=0)
    return np.where(away.any(axis=0), first, -1)
