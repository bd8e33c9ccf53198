"""Toy loss surfaces with analytic gradients, Hessians and known minimisers.

Every landscape takes points ``x`` of shape ``(..., d)`` and is vectorised over the leading
axes: ``loss(x)`` has shape ``(...)``, ``grad(x)`` shape ``(..., d)`` and ``hessian(x)``
shape ``(..., d, d)``. Each knows its minimisers (``minima``, shape ``(k, d)``), their losses,
and a plotting window (``bounds``).

- :class:`Quadratic`: $\\tfrac12 \\sum_i c_i x_i^2$, the model problem of every convergence proof.
- :class:`DoubleWell`: 1-D, a sharp shallow minimum and a wide deep one.
- :class:`Rosenbrock`: the curved banana valley.
- :class:`MultiMinima`: 2-D, one wide global minimum and several sharp local ones.

Example:
    >>> from lrlib.course.landscapes import Quadratic
    >>> bowl = Quadratic(curvatures=(1.0, 10.0))
    >>> float(bowl.loss([1.0, 1.0]))
    5.5
    >>> bowl.grad([1.0, 1.0]).tolist()
    [1.0, 10.0]
"""

import numpy as np

from lrlib import validation

__all__ = ["Landscape", "Quadratic", "DoubleWell", "Rosenbrock", "MultiMinima", "GaussianWells"]


class Landscape:
    """Base class. Subclasses set ``dim``, ``bounds``, ``name`` and implement ``_loss``,
    ``_grad``, ``_hessian`` on float arrays of shape ``(..., dim)``, and ``_minima``."""

    dim = None
    name = "landscape"

    def __init__(self, bounds):
        self.bounds = tuple((float(lo), float(hi)) for lo, hi in bounds)
        self._minimum_points = None

    # -- public, vectorised API ------------------------------------------------------------
    def loss(self, x):
        """The loss at ``x`` (shape ``(..., d)``), shape ``(...)``."""
        return self._loss(self._points(x))

    def grad(self, x):
        """The gradient at ``x``, shape ``(..., d)``."""
        return self._grad(self._points(x))

    def hessian(self, x):
        """The Hessian at ``x``, shape ``(..., d, d)``."""
        return self._hessian(self._points(x))

    def sharpness(self, x):
        """The largest eigenvalue of the Hessian at ``x`` (the curvature $\\lambda_{max}$)."""
        return np.linalg.eigvalsh(self.hessian(x))[..., -1]

    @property
    def minima(self):
        """The minimisers, shape ``(k, d)``, sorted by loss (global minimum first)."""
        if self._minimum_points is None:
            points = np.atleast_2d(np.asarray(self._minima(), dtype=float))
            self._minimum_points = points[np.argsort(self._loss(points), kind="stable")]
        return self._minimum_points.copy()

    @property
    def minimum_losses(self):
        """The loss at each minimiser, in the order of ``minima``."""
        return self._loss(self.minima)

    @property
    def global_minimum(self):
        """The minimiser with the lowest loss, shape ``(d,)``."""
        return self.minima[0]

    @property
    def lowest_loss(self):
        """The global minimum value of the loss."""
        return float(self.minimum_losses[0])

    def nearest_minimum(self, x, tolerance=0.05):
        """Index into ``minima`` of the minimiser within ``tolerance`` of each point, else -1.

        ``x`` has shape ``(..., d)``; the result has shape ``(...)``.
        """
        x = self._points(x)
        tolerance = validation.positive("tolerance", tolerance)
        distances = np.linalg.norm(x[..., None, :] - self.minima, axis=-1)
        index = np.argmin(distances, axis=-1)
        close = np.take_along_axis(distances, index[..., None], axis=-1)[..., 0] <= tolerance
        return np.where(close, index, -1)

    def grid(self, resolution=200):
        """A grid over ``bounds`` for contour plots: ``(X, Y, Z)`` for 2-D, ``(x, loss)`` for 1-D."""
        resolution = validation.integer("resolution", resolution, low=2)
        axes = [np.linspace(lo, hi, resolution) for lo, hi in self.bounds]
        if self.dim == 1:
            return axes[0], self.loss(axes[0][:, None])
        if self.dim == 2:
            X, Y = np.meshgrid(*axes)
            return X, Y, self.loss(np.stack([X, Y], axis=-1))
        raise ValueError(f"grid() needs a 1-D or 2-D landscape, this one has dim={self.dim}")

    def __repr__(self):
        return f"{type(self).__name__}({self._describe()})"

    # -- helpers ---------------------------------------------------------------------------
    def _describe(self):
        return ""

    def _points(self, x):
        x = np.asarray(x, dtype=float)
        if self.dim == 1 and x.ndim == 0:
            x = x[None]
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"`x` must have shape (..., {self.dim}) for {self.name}, got shape {x.shape}"
            )
        return x


class Quadratic(Landscape):
    """$L(x) = \\tfrac12 \\sum_i c_i x_i^2$: the curvatures are the Hessian's eigenvalues.

    Gradient descent with a fixed rate $\\eta$ multiplies coordinate $i$ by $(1 - \\eta c_i)$
    every step, so it converges iff $0 < \\eta < 2 / \\max_i c_i$.

    Args:
        curvatures: the positive curvatures $c_i$, one per dimension.
        extent: half-width of the plotting window.

    Example:
        >>> from lrlib.course.landscapes import Quadratic
        >>> Quadratic(curvatures=(10.0,)).stability_limit
        0.2
    """

    name = "quadratic"

    def __init__(self, curvatures=(1.0, 10.0), extent=None):
        values = np.atleast_1d(np.asarray(curvatures, dtype=float))
        if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"`curvatures` must be a non-empty list of numbers, got {curvatures!r}")
        if np.any(values <= 0):
            raise ValueError(f"`curvatures` must all be > 0, got {curvatures!r}")
        self.curvatures = values
        self.dim = values.size
        extent = 2.0 if extent is None else validation.positive("extent", extent)
        super().__init__([(-extent, extent)] * self.dim)

    @property
    def condition_number(self):
        """$\\kappa = \\lambda_{max} / \\lambda_{min}$."""
        return float(self.curvatures.max() / self.curvatures.min())

    @property
    def stability_limit(self):
        """$2 / \\lambda_{max}$: fixed rates below it converge, above it diverge."""
        return float(2.0 / self.curvatures.max())

    @property
    def best_learning_rate(self):
        """$2 / (\\lambda_{min} + \\lambda_{max})$, the fixed rate with the fastest worst case."""
        return float(2.0 / (self.curvatures.min() + self.curvatures.max()))

    def contraction(self, learning_rate):
        """The worst-case factor $\\max_i |1 - \\eta c_i|$ by which the error shrinks per step."""
        eta = validation.positive("learning_rate", learning_rate)
        return float(np.max(np.abs(1.0 - eta * self.curvatures)))

    def _loss(self, x):
        return 0.5 * np.sum(self.curvatures * x**2, axis=-1)

    def _grad(self, x):
        return self.curvatures * x

    def _hessian(self, x):
        return np.broadcast_to(np.diag(self.curvatures), x.shape[:-1] + (self.dim, self.dim)).copy()

    def _minima(self):
        return np.zeros((1, self.dim))

    def _describe(self):
        return f"curvatures={tuple(self.curvatures.tolist())}"


class Rosenbrock(Landscape):
    """$L(x, y) = (a - x)^2 + b (y - x^2)^2$, minimum at $(a, a^2)$.

    A curved valley: easy to find, slow to follow, and its curvature grows fast away from the
    valley (gradient descent diverges from far starts unless the rate is small).

    Example:
        >>> from lrlib.course.landscapes import Rosenbrock
        >>> Rosenbrock().global_minimum.tolist()
        [1.0, 1.0]
    """

    name = "Rosenbrock"
    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a = validation.real("a", a)
        self.b = validation.positive("b", b)
        super().__init__([(-2.0, 2.0), (-1.0, 3.0)])

    def _loss(self, p):
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        dx = -2.0 * (self.a - x) - 4.0 * self.b * x * (y - x**2)
        dy = 2.0 * self.b * (y - x**2)
        return np.stack([dx, dy], axis=-1)

    def _hessian(self, p):
        x, y = p[..., 0], p[..., 1]
        hxx = 2.0 - 4.0 * self.b * (y - x**2) + 8.0 * self.b * x**2
        hxy = -4.0 * self.b * x
        hyy = np.full_like(x, 2.0 * self.b)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    def _minima(self):
        return [[self.a, self.a**2]]

    def _describe(self):
        return f"a={self.a}, b={self.b}"


class GaussianWells(Landscape):
    """A shallow bowl with Gaussian wells dug into it:

    $$L(x) = \\beta \\lVert x \\rVert^2 - \\sum_k h_k
      \\exp\\!\\left(-\\frac{\\lVert x - c_k \\rVert^2}{2 w_k^2}\\right)$$

    Well $k$ has centre $c_k$, depth $h_k$ and width $w_k$; its curvature at the bottom is
    about $h_k / w_k^2 + 2\\beta$, so narrow wells are sharp. The minimisers are found
    numerically (Newton's method from each centre) and cached.

    Args:
        centres: shape ``(k, d)``.
        depths: ``k`` positive depths.
        widths: ``k`` positive widths.
        bowl: $\\beta \\ge 0$, keeps far-away starts coming back.
        bounds: the plotting window, one ``(low, high)`` per dimension.
    """

    name = "Gaussian wells"

    def __init__(self, centres, depths, widths, bowl=0.02, bounds=None):
        centres = np.asarray(centres, dtype=float)
        if centres.ndim != 2 or centres.shape[0] == 0 or not np.all(np.isfinite(centres)):
            raise ValueError(f"`centres` must have shape (k, d), got {np.shape(centres)}")
        depths = np.asarray(depths, dtype=float)
        widths = np.asarray(widths, dtype=float)
        for label, values in (("depths", depths), ("widths", widths)):
            if values.shape != (centres.shape[0],) or not np.all(np.isfinite(values)):
                raise ValueError(f"`{label}` must have one number per centre, got {values!r}")
            if np.any(values <= 0):
                raise ValueError(f"`{label}` must all be > 0, got {values.tolist()}")
        self.centres, self.depths, self.widths = centres, depths, widths
        self.bowl = validation.non_negative("bowl", bowl)
        self.dim = centres.shape[1]
        if bounds is None:
            reach = np.abs(centres).max() + 2.0 * widths.max()
            bounds = [(-reach, reach)] * self.dim
        super().__init__(bounds)

    def _wells(self, x):
        offsets = x[..., None, :] - self.centres  # (..., k, d)
        heights = self.depths * np.exp(-np.sum(offsets**2, axis=-1) / (2.0 * self.widths**2))
        return offsets, heights  # heights: (..., k)

    def _loss(self, x):
        _, heights = self._wells(x)
        return self.bowl * np.sum(x**2, axis=-1) - np.sum(heights, axis=-1)

    def _grad(self, x):
        offsets, heights = self._wells(x)
        pull = heights / self.widths**2
        return 2.0 * self.bowl * x + np.sum(pull[..., None] * offsets, axis=-2)

    def _hessian(self, x):
        offsets, heights = self._wells(x)
        w2 = self.widths**2
        eye = np.eye(self.dim)
        outer = offsets[..., :, None] * offsets[..., None, :]  # (..., k, d, d)
        terms = (heights / w2)[..., None, None] * (eye - outer / w2[:, None, None])
        return 2.0 * self.bowl * eye + np.sum(terms, axis=-3)

    def _minima(self):
        found = []
        for centre in self.centres:
            x = centre.copy()
            for _ in range(100):
                g, h = self._grad(x), self._hessian(x)
                if np.all(np.linalg.eigvalsh(h) > 0):
                    step = np.linalg.solve(h, g)
                else:
                    step = 0.1 * g / max(1.0, float(np.abs(h).max()))
                x = x - step
                if np.linalg.norm(step) < 1e-13:
                    break
            converged = np.linalg.norm(self._grad(x)) < 1e-9
            convex = np.all(np.linalg.eigvalsh(self._hessian(x)) > 0)
            if converged and convex and all(np.linalg.norm(x - y) > 1e-6 for y in found):
                found.append(x)
        return np.array(found)


class DoubleWell(GaussianWells):
    """1-D: a sharp, shallow minimum and a wide, deep one, in a faint bowl.

    With the defaults the sharp minimum near $x = -1$ has curvature about 44 (so a fixed rate
    above about $2/44 \\approx 0.045$ cannot settle in it) and the wide minimum near $x = 2$
    has curvature about 2.4 (rates up to about 0.8 settle there).

    Args:
        sharp: ``(centre, depth, width)`` of the sharp well.
        wide: ``(centre, depth, width)`` of the wide well.
        bowl: the coefficient $\\beta$ of $\\beta x^2$.

    Example:
        >>> from lrlib.course.landscapes import DoubleWell
        >>> well = DoubleWell()
        >>> [round(float(x), 2) for x in well.minima[:, 0]]   # global (wide) first
        [1.97, -1.0]
    """

    name = "double well"

    def __init__(self, sharp=(-1.0, 1.0, 0.15), wide=(2.0, 1.5, 0.8), bowl=0.02):
        sharp = tuple(float(v) for v in sharp)
        wide = tuple(float(v) for v in wide)
        if len(sharp) != 3 or len(wide) != 3:
            raise ValueError("`sharp` and `wide` must each be (centre, depth, width)")
        self.sharp, self.wide = sharp, wide
        super().__init__(
            centres=[[sharp[0]], [wide[0]]],
            depths=[sharp[1], wide[1]],
            widths=[sharp[2], wide[2]],
            bowl=bowl,
            bounds=[(-3.0, 5.0)],
        )

    @property
    def sharp_minimum(self):
        """The minimiser nearest the sharp well's centre."""
        return self.minima[np.argmin(np.abs(self.minima[:, 0] - self.sharp[0]))]

    @property
    def wide_minimum(self):
        """The minimiser nearest the wide well's centre."""
        return self.minima[np.argmin(np.abs(self.minima[:, 0] - self.wide[0]))]

    def _describe(self):
        return f"sharp={self.sharp}, wide={self.wide}, bowl={self.bowl}"


class MultiMinima(GaussianWells):
    """2-D: one wide, deep global minimum and three sharp, shallower local minima.

    The default wells (centre, depth, width): the global one at (1.5, 1.0) is wide (width 1);
    the local ones at (-1.5, 1.5), (-1.0, -1.5) and (2.0, -1.5) are narrow (widths 0.25 to 0.3)
    and so sharp (curvatures 11 to 20), which large learning rates cannot settle in.

    Example:
        >>> from lrlib.course.landscapes import MultiMinima
        >>> len(MultiMinima().minima)
        4
    """

    name = "several minima"

    DEFAULT_WELLS = (
        ((1.5, 1.0), 2.0, 1.0),
        ((-1.5, 1.5), 1.5, 0.3),
        ((-1.0, -1.5), 1.2, 0.25),
        ((2.0, -1.5), 1.0, 0.3),
    )

    def __init__(self, wells=DEFAULT_WELLS, bowl=0.02):
        self.wells = tuple(wells)
        try:
            centres = [w[0] for w in self.wells]
            depths = [w[1] for w in self.wells]
            widths = [w[2] for w in self.wells]
        except (TypeError, IndexError) as error:
            raise ValueError("`wells` must be a list of (centre, depth, width)") from error
        super().__init__(centres, depths, widths, bowl=bowl, bounds=[(-3.0, 3.5), (-3.0, 3.0)])

    def _describe(self):
        return f"{len(self.wells)} wells, bowl={self.bowl}"
