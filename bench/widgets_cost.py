"""What a slider move costs, and how fast gradient descent runs.

A slider move in a live experiment (:func:`lrlib.course.widgets.live`) swaps one rendered frame
for another in the widget's one image: the frames of the experiment's main parameter are
rendered ahead (:mod:`lrlib.course.widgets.live_frames`). So a move is timed as the kernel sees
it: setting the main control's value, which runs the widget's own handler (find the frame,
set the image's value, queue what to render next), for every draw function with controls found
by :mod:`lrlib.course.widgets.discovery`:

- at its defaults, with every frame the widget renders ahead ready (as a learner finds it a
  few seconds after the widget appears), moving to the neighbouring value of the grid and back;
- at every setting of its controls' extremes (the other controls set there, then the main
  control moved to its neighbouring grid value and back; the two frames rendered first,
  nothing rendered ahead while timing), whose slowest is reported;
- the *cache miss*: a frame not rendered yet (a move of another control before the frames
  ahead are ready) costs drawing the figure and rendering it to PNG
  (:func:`lrlib.course.widgets.live_frames.frame`), reported separately, with the draw
  function alone and against the *floor*: the same miss for the simplest figure (one titled
  line in the course's style), which says how fast this machine draws at all.

The targets: a move within 50 ms at the defaults and 100 ms at the extremes; 100 ms is the
delay within which a response feels instant (Nielsen, *Usability Engineering*, 1993).

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

#: A response within this many milliseconds feels instant: the target at the extremes.
INSTANT_MS = 100.0
#: The target for a move at an experiment's defaults.
DEFAULT_TARGET_MS = 50.0
#: Moves timed together (there and back), their time divided among them.
MOVES_PER_SAMPLE = 10


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


def _cache_miss(draw, params):
    from lrlib.course.widgets import live_frames

    def miss():
        # A frame not rendered yet: forget it, then draw it and render it to PNG.
        with live_frames._cache_lock:
            live_frames._cache.pop(live_frames._key(draw, params), None)
        live_frames.frame(draw, **params)

    return miss


def _live(experiment, params=None, ahead=True):
    """The experiment's live widget (its controls set to ``params``), as a learner gets it."""
    from lrlib.course.widgets.live_frames import LiveExperiment

    controls = experiment.make_controls()
    for name, value in (params or {}).items():
        if name in controls and hasattr(controls[name], "value") and \
                not isinstance(value, type(None)) and controls[name].value != value:
            controls[name].value = value
    return LiveExperiment(experiment.draw, controls, ahead=ahead)


def _neighbour(live, value):
    """The main control's grid value nearest ``value``, and the one next to it."""
    values = live.values
    try:
        index = values.index(value)
    except ValueError:
        index = min(range(len(values)), key=lambda i: _distance(values[i], value))
    other = index + 1 if index + 1 < len(values) else index - 1
    return values[index], values[max(other, 0)]


def _distance(a, b):
    try:
        return abs(float(a) - float(b))
    except (TypeError, ValueError):
        return 0.0 if a == b else 1.0


def _swaps(live, there, back):
    """A function that moves the main control there and back, MOVES_PER_SAMPLE times in all."""
    control = live.controls[live.vary]

    def move():
        for k in range(MOVES_PER_SAMPLE):
            control.value = there if k % 2 == 0 else back

    return move


def _ready(live, there, back):
    """Render the frames a there-and-back move shows (and, if ahead, what it queues)."""
    from lrlib.course.widgets.live_frames import frame

    for value in (there, back):
        frame(live.draw, **live.params(**{live.vary: value}))
    live.wait()


def _subset(items, count):
    """At most ``count`` items, evenly spread, first and last included."""
    if count is None or len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def slider_moves(rounds, *, positions_rounds=1, max_settings=None, clock="cpu", seed=0,
                 progress=print):
    """Time one slider move of every experiment, at its defaults and at its extremes.

    Each round times, back to back, a move at the defaults (the frame swap), a cache miss of
    the same frame (draw and PNG), the draw function alone and the floor's cache miss. CPU
    time by default (all threads of the process: the renderer's included): on an idle
    machine it is the wall time a learner waits; on a busy one it is the steadier.
    """
    import matplotlib

    matplotlib.use("Agg")
    experiments = draw_functions()
    progress(f"  slider moves: {len(experiments)} experiments x {rounds} rounds")
    floor = _cache_miss(floor_figure, {})
    groups, lives = {}, {}
    for e in experiments:
        group = {"miss": _cache_miss(e.draw, e.defaults), "draw": _draw_only(e.draw, e.defaults),
                 "floor": floor}
        if e.controls is not None:
            live = _live(e)
            there, back = _neighbour(live, live.params()[live.vary])
            live.wait()  # every frame rendered ahead, as a learner finds it
            _ready(live, there, back)
            group["move"] = _swaps(live, back, there)
            lives[e.name] = live
        groups[e.name] = group
    samples = interleave(groups, rounds, seed=seed)
    rows = {}
    floor_samples = []
    for experiment in experiments:
        found = samples[experiment.name]
        floor_samples += found["floor"]
        miss = summarize(found["miss"], clock, 1e3)
        row = {
            "miss_ms": miss.as_dict(),
            "draw_ms": summarize(found["draw"], clock, 1e3).as_dict(),
            "ratio_floor": paired_ratios(found["miss"], found["floor"], clock).as_dict(),
            "has_controls": experiment.controls is not None,
        }
        if experiment.controls is not None:
            live = lives[experiment.name]
            per_move = [s.__class__(s.wall / MOVES_PER_SAMPLE, s.cpu / MOVES_PER_SAMPLE)
                        for s in found["move"]]
            move = summarize(per_move, clock, 1e3)
            settings = _subset(control_settings(experiment), max_settings)
            progress(f"    {experiment.name}: {len(settings)} control settings, "
                     f"{len(live.values)} frames of `{live.vary}`")
            timings = []
            for params in settings:
                at = _live(experiment, params, ahead=False)
                there, back = _neighbour(at, params.get(at.vary))
                _ready(at, there, back)
                taken = interleave({"p": {"p": _swaps(at, back, there)}}, positions_rounds)
                per = [s.__class__(s.wall / MOVES_PER_SAMPLE, s.cpu / MOVES_PER_SAMPLE)
                       for s in taken["p"]["p"]]
                timings.append((summarize(per, clock, 1e3).median, params))
            slowest_ms, slowest_params = max(timings, key=lambda pair: pair[0])
            row.update({
                "move_ms": move.as_dict(),
                "move_wall_ms": summarize(per_move, "wall", 1e3).as_dict(),
                "ratio_instant": move.scaled(1 / INSTANT_MS).as_dict(),
                "main_parameter": live.vary,
                "frames": len(live.values),
                "settings": len(settings),
                "slowest_ms": slowest_ms,
                "slowest_ratio_instant": slowest_ms / INSTANT_MS,
                "slowest_params": {k: _plain(v) for k, v in slowest_params.items()},
            })
        else:
            progress(f"    {experiment.name}: no controls (a static figure)")
        rows[experiment.name] = row
    return {"clock": clock, "rounds": rounds, "instant_ms": INSTANT_MS,
            "default_target_ms": DEFAULT_TARGET_MS,
            "unit": "milliseconds per slider move (a frame swap, as lrlib.course.widgets.live "
                    "does it); cache miss: draw + PNG of a frame not rendered yet",
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
