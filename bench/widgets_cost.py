"""What a slider move costs, and how fast gradient descent runs.

A slider move in a live experiment redraws the figure (:func:`lrlib.course.widgets.render`) and
shows it as a PNG image (:func:`lrlib.course.widgets.core.as_png`, one render at the figure's own
size, which is what :func:`lrlib.course.widgets.live` displays). Both are timed together, for every draw function found
by :mod:`lrlib.course.widgets.discovery`, at its default parameters and at every setting of its controls'
extremes, against the 100 ms within which a response feels instant (Nielsen, *Usability
Engineering*, 1993), and against the *floor*: the same move for the simplest figure (one
titled line in the course's style), which says how fast this machine draws at all.

Gradient descent (:func:`lrlib.course.descent.gradient_descent`) is timed in steps per second
against the same update written as a bare NumPy loop (what the divergence checks and the
recording of the path cost), and :func:`lrlib.course.descent.descend_many` in run-steps per second
against ``gradient_descent`` (what vectorising over starts gains).
"""

import numpy as np

from lrlib.course.widgets.discovery import control_settings, draw_functions
from bench.timing import interleave, paired_ratios, spread, summarize
from lrlib.course.widgets.core import experiment

__all__ = ["INSTANT_MS", "slider_moves", "descent_speed"]

#: A response within this many milliseconds feels instant.
INSTANT_MS = 100.0


@experiment(figsize=(6.0, 3.4))
def floor_figure(fig):
    """The least a slider move can cost: one titled, labelled line, in the course's style."""
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("floor")
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _draw_only(draw, params):
    from lrlib.course.widgets import render

    return lambda: render(draw, **params)


def _slider_move(draw, params):
    from lrlib.course.widgets import render
    from lrlib.course.widgets.core import as_png

    def move():
        # What a live widget does on each move: draw, then show the PNG.
        as_png(render(draw, **params))

    return move


def _subset(items, count):
    """At most ``count`` items, evenly spread, first and last included."""
    if count is None or len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def slider_moves(rounds, *, positions_rounds=1, max_settings=None, clock="cpu", seed=0,
                 progress=print):
    """Time one slider move of every experiment, at its defaults and at its extremes.

    Each round times, back to back, the draw function alone, the whole move (draw and PNG)
    and the floor's whole move. CPU time by default: Matplotlib draws on one thread, so on
    an idle machine it is the wall time a learner waits; on a busy one it is the steadier.
    """
    import matplotlib

    matplotlib.use("Agg")
    experiments = draw_functions()
    progress(f"  slider moves: {len(experiments)} experiments x {rounds} rounds")
    floor = _slider_move(floor_figure, {})
    groups = {e.name: {"move": _slider_move(e.draw, e.defaults),
                       "draw": _draw_only(e.draw, e.defaults),
                       "floor": floor}
              for e in experiments}
    samples = interleave(groups, rounds, seed=seed)
    rows = {}
    floor_samples = []
    for experiment in experiments:
        found = samples[experiment.name]
        floor_samples += found["floor"]
        settings = _subset(control_settings(experiment), max_settings)
        progress(f"    {experiment.name}: {len(settings)} control settings")
        timings = []
        for params in settings:
            move = _slider_move(experiment.draw, params)
            taken = interleave({"p": {"p": move}}, positions_rounds)["p"]["p"]
            timings.append((summarize(taken, clock, 1e3).median, params))
        slowest_ms, slowest_params = max(timings, key=lambda pair: pair[0])
        move = summarize(found["move"], clock, 1e3)
        rows[experiment.name] = {
            "move_ms": move.as_dict(),
            "draw_ms": summarize(found["draw"], clock, 1e3).as_dict(),
            "move_wall_ms": summarize(found["move"], "wall", 1e3).as_dict(),
            "ratio_floor": paired_ratios(found["move"], found["floor"], clock).as_dict(),
            "ratio_instant": move.scaled(1 / INSTANT_MS).as_dict(),
            "settings": len(settings),
            "slowest_ms": slowest_ms,
            "slowest_ratio_instant": slowest_ms / INSTANT_MS,
            "slowest_params": {k: _plain(v) for k, v in slowest_params.items()},
            "has_controls": experiment.controls is not None,
        }
    return {"clock": clock, "rounds": rounds, "instant_ms": INSTANT_MS,
            "unit": "milliseconds per slider move (draw + PNG, as lrlib.course.widgets.live shows it)",
            "floor_ms": summarize(floor_samples, clock, 1e3).as_dict(),
            "rows": rows}


def _plain(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def _numpy_loop(curvatures, x0, rate, steps):
    def run():
        x = np.array(x0, dtype=float)
        path = np.empty((steps + 1, x.size))
        path[0] = x
        for t in range(steps):
            x = x - rate * curvatures * x
            path[t + 1] = x

    return run


def descent_speed(rounds, steps=10_000, starts=1_000, clock="cpu", seed=0, progress=print):
    """Steps per second of ``gradient_descent`` and ``descend_many``, with their baselines."""
    from lrlib.course.descent import descend_many, gradient_descent
    from lrlib.course.landscapes import Quadratic

    curvatures = np.array([1.0, 10.0])
    bowl = Quadratic(curvatures=tuple(curvatures))
    x0 = [1.0, 1.0]
    rate = 0.05
    many_steps = max(10, steps // 10)
    points = np.tile(x0, (starts, 1))
    groups = {
        "single": {
            "gradient_descent": lambda: gradient_descent(bowl, x0, rate, steps),
            "numpy": _numpy_loop(curvatures, x0, rate, steps),
        },
        "many": {
            "descend_many": lambda: descend_many(bowl, points, rate, many_steps),
            "gradient_descent": lambda: gradient_descent(bowl, x0, rate, many_steps),
        },
    }
    progress(f"  gradient descent: {steps:,} steps; {starts:,} starts x {many_steps:,} steps")
    samples = interleave(groups, rounds, seed=seed)
    single, many = samples["single"], samples["many"]

    def per_second(found, work):
        return spread([work / s.get(clock) for s in found]).as_dict()

    return {
        "clock": clock,
        "rounds": rounds,
        "landscape": f"Quadratic(curvatures=(1.0, 10.0)), learning rate {rate}",
        "gradient_descent": {
            "steps": steps,
            "steps_per_second": per_second(single["gradient_descent"], steps),
            "numpy_steps_per_second": per_second(single["numpy"], steps),
            "ratio_numpy": paired_ratios(single["gradient_descent"], single["numpy"],
                                         clock).as_dict(),
        },
        "descend_many": {
            "starts": starts,
            "steps": many_steps,
            "run_steps_per_second": per_second(many["descend_many"], starts * many_steps),
            # Time per run-step of gradient_descent over that of descend_many: the speed-up.
            "speedup": spread([
                (g.get(clock) / many_steps) / (d.get(clock) / (starts * many_steps))
                for d, g in zip(many["descend_many"], many["gradient_descent"])
            ]).as_dict(),
        },
    }
