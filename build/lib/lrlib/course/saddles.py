"""Why saddle points, not local minima, dominate in high dimension: a random-matrix caricature.

At a critical point (zero gradient) the Hessian decides what it is: a minimum if all its
eigenvalues are positive, a saddle if some are negative. If the Hessian at a critical point of
a $d$-dimensional loss were a random symmetric matrix (from the Gaussian orthogonal ensemble,
GOE), the chance that *all* $d$ eigenvalues are positive would fall like
$e^{-\\theta d^2}$ with $\\theta = \\ln 3 / 4$ (Dean and Majumdar 2006): already tiny for
$d = 10$, and a network has millions of weights. Dauphin et al. (2014) build on this picture
(Bray and Dean 2007) and on measurements of real networks: critical points with a high loss
are overwhelmingly saddles; those with a low loss are mostly minima.

:func:`share_of_minima` estimates that chance by sampling.

Example:
    >>> from lrlib.course.saddles import share_of_minima
    >>> round(share_of_minima(1, samples=20000), 2)    # one dimension: a coin flip
    0.5
"""

import numpy as np

from lrlib import validation

__all__ = ["random_hessians", "share_of_minima"]


def random_hessians(dimension, samples, seed=0):
    """``samples`` random symmetric ``dimension x dimension`` matrices from the GOE.

    Each is $(G + G^T)/\\sqrt 2$ with $G$ standard normal: off-diagonal entries have
    variance 1, diagonal ones variance 2. Shape ``(samples, dimension, dimension)``.
    """
    dimension = validation.positive_integer("dimension", dimension)
    samples = validation.positive_integer("samples", samples)
    seed = validation.integer("seed", seed, low=0)
    g = np.random.default_rng(seed).standard_normal((samples, dimension, dimension))
    return (g + np.swapaxes(g, -1, -2)) / np.sqrt(2.0)


def share_of_minima(dimension, samples=20000, seed=0):
    """The share of random (GOE) Hessians whose eigenvalues are all positive.

    That is the chance that a critical point with such a Hessian is a minimum rather than a
    saddle (or a maximum).
    """
    hessians = random_hessians(dimension, samples, seed)
    smallest = np.linalg.eigvalsh(hessians)[:, 0]
    return float(np.mean(smallest > 0))
