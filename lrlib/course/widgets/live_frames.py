"""Experiments that respond at once: frames rendered ahead, swapped on a move.

A slider move that draws a new figure and renders it to a new PNG costs 100-500 ms (see
``bench/``): too slow to feel instant. Instead, each experiment's *main parameter* (the one
its chapter varies) is rendered ahead at a grid of values, once per setting of the other
controls, and a move only swaps one finished PNG for another:

- :func:`main_parameter` and :func:`grid` say which parameter and which values: the draw
  function's ``@experiment(scrub=...)`` declaration, else the first control of its
  ``<name>_controls()``; the values come from that control (a log slider: about 20 values
  evenly spread on the log scale; an integer slider: its steps, or about 20 of them; a
  drop-down: its options), always including the control's default;
- :func:`frames` renders the draw function at every value of the grid, each to PNG bytes
  with its alt text (the figure's titles and the value), cached per draw function and
  parameters, so the second request of a frame costs nothing;
- :func:`live` (what :func:`lrlib.course.widgets.live` returns) shows ONE image widget and
  swaps its value on a move; the main parameter's frames are rendered ahead for the current
  setting of the other controls, nearest first, then the frames one step away on every
  other control (in a kernel, one frame per turn of its event loop, between messages, on the
  main thread, a few milliseconds apart so that messages pass between them; elsewhere on a
  background thread); a move to a frame not rendered yet puts it first;
- :func:`scrubber` is the same on the website, with no kernel: an HTML ``<figure>`` with a
  range input, the frames and a small script (``lrlib/book/website_static/scrubber.js``,
  added by the book's Sphinx extension, which also moves the frames out of the page into
  image files).
"""

import base64
import collections
import html
import inspect
import io
import itertools
import json
import math
import sys
import threading
import weakref

from lrlib.course.plots import use_style

__all__ = ["Frame", "main_parameter", "grid", "frames", "frame", "live", "scrubber",
           "Scrubber", "LiveExperiment", "clear_cache", "pending_frames", "GRID_POINTS",
           "DROPDOWN_KEYS"]

#: About this many values for a continuous slider (a log slider: evenly spread on its scale).
GRID_POINTS = 20
#: A discrete control with at most this many positions keeps all of them.
MAX_POSITIONS = 24
#: In a kernel, the pause between two frames rendered ahead (seconds). A message (a slider
#: move) passes through several turns of the kernel's event loop before its handler runs; with
#: frames scheduled for the very next turn it waited for one frame per turn (seconds while the
#: grid renders, measured in JupyterLab: tests/lab); with this pause it waits for one at most.
FRAME_PAUSE_S = 0.005
#: Frames kept in memory, over all experiments (a frame is 20-80 kB).
CACHE_SIZE = 600

Frame = collections.namedtuple("Frame", "png alt titles params axes")
Frame.__doc__ = ("One rendered frame: PNG bytes, alt text, the figure's titles, its parameters "
                 "and its axes' labels.")

_cache = collections.OrderedDict()
_cache_lock = threading.Lock()
_render_lock = threading.RLock()  # one render at a time: Matplotlib's style is global
_live = weakref.WeakSet()  # every LiveExperiment of this process, for pending_frames


def pending_frames():
    """How many frames the live experiments of this process have still to render ahead
    (0 once every experiment's frames are ready: a move is then a swap). For tests and the
    benchmark, e.g. a browser test that waits for the frames before timing a key press."""
    return sum(experiment.pending() for experiment in list(_live))


def clear_cache():
    """Forget every rendered frame."""
    with _cache_lock:
        _cache.clear()


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return ("<object>", id(value))
    return value


def _key(draw, params):
    return (id(draw), tuple(sorted((name, _hashable(v)) for name, v in params.items())))


def _cached(draw, params):
    key = _key(draw, params)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def _store(draw, params, found):
    with _cache_lock:
        _cache[_key(draw, params)] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


_TEX = {r"\eta": "η", r"\lambda": "λ", r"\sigma": "σ", r"\mu": "μ", r"\alpha": "α",
        r"\beta": "β", r"\gamma": "γ", r"\epsilon": "ε", r"\xi": "ξ", r"\approx": "≈",
        r"\cdot": "·", r"\times": "×", r"\leq": "≤", r"\geq": "≥", r"\le": "≤",
        r"\ge": "≥", r"\infty": "∞", r"\max": "max", r"\min": "min", r"\,": " "}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _plain(text):
    """A Matplotlib label without its TeX (for alt text): ``$\\eta_0$`` becomes ``η₀``."""
    import re

    if "$" not in text:
        return text
    text = re.sub(r"\\[td]?frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", text)
    for tex in sorted(_TEX, key=len, reverse=True):
        text = re.sub(re.escape(tex) + r"(?![A-Za-z])", _TEX[tex], text)
    text = re.sub(r"_\{?([0-9]+)\}?", lambda m: m[1].translate(_SUBSCRIPTS), text)
    text = re.sub(r"\\(mathrm|text|mathit|operatorname)\{([^{}]*)\}", r"\2", text)
    return re.sub(r"[$\\{}]", "", text)


def _titles(fig):
    """The figure's titles: suptitles (of the figure and its sub-figures), then the axes'."""
    found = []

    def walk(figure):
        suptitle = getattr(figure, "_suptitle", None)
        if suptitle is not None and suptitle.get_text():
            found.append(suptitle.get_text())
        for sub in getattr(figure, "subfigs", []):
            walk(sub)

    walk(fig)
    for ax in fig.get_axes():
        for loc in ("center", "left", "right"):
            title = ax.get_title(loc=loc)
            if title:
                found.append(title)
    return [" ".join(_plain(t).split()) for t in found]


def _label(name, draw=None, controls=None):
    control = (controls or {}).get(name)
    description = getattr(control, "description", "") if control is not None else ""
    return description or name.replace("_", " ")


def _format(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return format(value, ".3g")
    return str(value)


def _summary(draw):
    """The experiment's name for people: its ``title``, else its function's name in words."""
    return getattr(draw, "title", None) or draw.__name__.replace("_", " ").capitalize()


def frame(draw, label=None, **params):
    """One frame: ``draw`` rendered at ``params`` to PNG bytes (cached), with its alt text.

    The figure is a plain :class:`matplotlib.figure.Figure` (not registered with pyplot, so
    frames can be rendered off the main thread), rendered once at its own size, as
    :func:`lrlib.course.widgets.core.as_png` does. ``label`` (``"learning rate η = 0.1"``)
    starts the alt text; the figure's titles follow.
    """
    from matplotlib.figure import Figure

    from lrlib.course.widgets.core import _figsize

    found = _cached(draw, params)
    if found is None:
        with _render_lock:
            found = _cached(draw, params)
            if found is None:
                use_style()
                fig = Figure(figsize=_figsize(draw), layout="constrained")
                draw(fig, **params)
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png", dpi=fig.dpi)
                titles = _titles(fig)
                axes = tuple(f"{' '.join(_plain(ax.get_ylabel()).split())} against "
                             f"{' '.join(_plain(ax.get_xlabel()).split())}"
                             for ax in fig.get_axes() if ax.get_xlabel() and ax.get_ylabel())
                found = Frame(buffer.getvalue(), "", tuple(titles), dict(params), axes)
                _store(draw, params, found)
    prefix = f"{_summary(draw)} at {label}" if label else _summary(draw)
    alt = prefix + (": " + "; ".join(found.titles) if found.titles else "")
    if len(alt) < 80 and found.axes:  # short titles: say what the axes show too
        alt += " (" + "; ".join(found.axes) + ")"
    return found._replace(alt=alt + ".")


# -- which parameter, which values ------------------------------------------------------------

def controls_of(draw, **inputs):
    """The draw function's controls (its module's ``<name>_controls()``), or ``{}``.

    ``inputs`` are passed to the factory when it asks for them (``results`` for the
    choosing chapter's drop-downs).
    """
    factory = getattr(sys.modules.get(draw.__module__), f"{draw.__name__}_controls", None)
    if not callable(factory):
        return {}
    wanted = inspect.signature(factory).parameters
    return factory(**{name: inputs[name] for name in wanted if name in inputs})


def _is_control(value):
    import ipywidgets

    return isinstance(value, ipywidgets.ValueWidget)


def main_parameter(draw, controls=None):
    """The parameter a scrub moves: ``@experiment(scrub=...)``, else the first control."""
    declared = getattr(draw, "scrub", None)
    if declared:
        return declared[0] if isinstance(declared, tuple) else declared
    for name, control in (controls or {}).items():
        if _is_control(control):
            return name
    raise ValueError(f"{draw.__name__} has no controls and declares no `scrub` parameter: "
                     "give `vary` and `values`")


def _options(control):
    labels = getattr(control, "_options_labels", None)
    values = getattr(control, "_options_values", None)
    if labels is None or values is None:
        values = list(control.options)
        labels = [_format(v) for v in values]
    return list(values), list(labels)


def _spread_including(positions, count, default):
    """About ``count`` of ``positions``, evenly spread, ends and ``default`` included."""
    if len(positions) <= MAX_POSITIONS:
        return list(positions)
    step = (len(positions) - 1) / (count - 1)
    chosen = sorted({round(i * step) for i in range(count)})
    picked = [positions[i] for i in chosen]
    if default in positions and default not in picked:
        nearest = min(range(1, len(picked) - 1),
                      key=lambda i: abs(picked[i] - default))
        picked[nearest] = default
    return sorted(set(picked))


def _round(value, digits=3):
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


def grid(control, count=GRID_POINTS):
    """The values a scrub of ``control`` offers, with their labels: ``(values, labels)``.

    A drop-down: its options. A check box: off and on. An integer slider: its positions
    (about ``count`` of them when it has more than 24). A log slider: about ``count`` values
    evenly spread on its log scale, rounded to three significant digits; a float slider:
    its positions, or about ``count`` of them. The control's current value is always one of
    them, and so are its ends.
    """
    if hasattr(control, "options") and hasattr(control, "index"):
        return _options(control)
    value = control.value
    if isinstance(value, bool):
        return [False, True], ["off", "on"]
    if hasattr(control, "base"):  # a log slider: exponents from min to max
        low, high = control.min, control.max
        values = [_round(control.base ** (low + (high - low) * i / (count - 1)))
                  for i in range(count)]
        values[0], values[-1] = control.base ** low, control.base ** high
        values = [_round(v) for v in values]
        nearest = min(range(len(values)), key=lambda i: abs(math.log(values[i] / value)))
        values[nearest] = value
        values = sorted(set(values))
        return values, [_format(v) for v in values]
    low, high, step = control.min, control.max, control.step
    if isinstance(value, int):
        positions = list(range(low, high + 1, step))
        values = _spread_including(positions, count, value)
        return values, [str(v) for v in values]
    decimals = max(0, -math.floor(math.log10(step))) + 2 if step else 6
    positions = [round(low + k * step, decimals)
                 for k in range(int(round((high - low) / step)) + 1)]
    values = _spread_including(positions, count, round(value, decimals))
    return values, [_format(v) for v in values]


def _declared_grid(draw):
    declared = getattr(draw, "scrub", None)
    if isinstance(declared, tuple) and len(declared) == 2:
        values = list(declared[1])
        return values, [_format(v) for v in values]
    return None


def _plan(draw, vary, values, fixed):
    """Resolve what to scrub: ``(vary, values, labels, label, params)``."""
    controls = controls_of(draw, **fixed)
    vary = vary or main_parameter(draw, controls)
    params = {name: (c.value if _is_control(c) else c) for name, c in controls.items()}
    params.update(fixed)
    if values is None:
        declared = _declared_grid(draw)
        if declared is not None and declared[0]:
            values, labels = declared
        elif vary in controls and _is_control(controls[vary]):
            if vary in fixed:
                controls[vary].value = fixed[vary]
            values, labels = grid(controls[vary])
        else:
            raise ValueError(f"no values to scrub `{vary}` over: give `values`")
    else:
        values = list(values)
        labels = [_format(v) for v in values]
    if not values:
        raise ValueError("`values` must not be empty")
    params.pop(vary, None)
    return vary, values, labels, _label(vary, draw, controls), params


def frames(draw, vary=None, values=None, **fixed):
    """``draw`` rendered at every value of parameter ``vary``: a list of :class:`Frame`.

    ``vary`` and ``values`` default to the experiment's main parameter and its grid (see
    :func:`main_parameter` and :func:`grid`); the other parameters are the controls'
    defaults, updated with ``fixed``. Cached: a second call costs nothing.
    """
    vary, values, labels, label, params = _plan(draw, vary, values, fixed)
    return [frame(draw, f"{label} = {text}", **params, **{vary: value})
            for value, text in zip(values, labels)]


# -- live in a kernel -------------------------------------------------------------------------

class LiveExperiment:
    """The state behind :func:`live`: the controls, one image, the frames and a renderer.

    ``show()`` puts the frame of the controls' current values in the image (the swap, when
    it is rendered; otherwise it asks the renderer for it first). ``prefetch()`` queues the
    frames a learner is likely to want next; ``wait()`` returns once the queue is empty.
    """

    def __init__(self, draw, controls, *, ahead=True):
        import ipywidgets as widgets

        self.draw = draw
        self.fixed = {n: c for n, c in controls.items() if not _is_control(c)}
        active = {n: c for n, c in controls.items() if _is_control(c)}
        if not active:
            raise ValueError(f"{draw.__name__}: `live` needs at least one control")
        for name, control in active.items():
            if not control.description:
                control.description = name.replace("_", " ")
        self.vary = main_parameter(draw, active)
        if self.vary not in active:
            raise ValueError(f"{draw.__name__}: its main parameter `{self.vary}` has no control")
        main = active[self.vary]
        self.values, self.labels = grid(main)
        if not (hasattr(main, "options") and hasattr(main, "index")) and \
                not isinstance(main.value, bool):
            snapped = len(self.values) < _positions(main)
            description = main.description + (f" ({len(self.values)} steps)" if snapped else "")
            main = widgets.SelectionSlider(
                options=list(zip(self.labels, self.values)), value=main.value,
                description=description, style=main.style, continuous_update=True,
                tooltip=(f"{len(self.values)} values rendered ahead" if snapped else None))
            active[self.vary] = main
        self.controls = active
        self.image = widgets.Image(format="png")
        self.ahead = ahead
        self._wanted = None
        self._queue = []
        self._condition = threading.Condition()
        self._worker = None
        self._busy = False
        self._scheduled = False
        self._loop = _kernel_loop()
        self.error = None
        _live.add(self)
        for control in active.values():
            control.observe(self._changed, names="value")
        first = self.params()
        frame(draw, self._label(first), **first)  # the first frame now, the rest ahead
        self.show()
        if ahead:
            self.prefetch()

    # the parameters of the current frame, and of its neighbours
    def params(self, **changes):
        params = dict(self.fixed)
        params.update({n: c.value for n, c in self.controls.items()})
        params.update(changes)
        return params

    def _neighbours(self):
        """Frames to render ahead: the main parameter's grid (nearest first), then one step
        each way on every other control."""
        current = self.params()
        index = self.values.index(current[self.vary]) if current[self.vary] in self.values \
            else 0
        order = sorted(range(len(self.values)), key=lambda i: (abs(i - index), i))
        wanted = [self.params(**{self.vary: self.values[i]}) for i in order]
        for name, control in self.controls.items():
            if name == self.vary:
                continue
            for value in _steps_from(control):
                wanted.append(self.params(**{name: value}))
        return wanted

    def _label(self, params):
        value = params[self.vary]
        text = self.labels[self.values.index(value)] if value in self.values else _format(value)
        return f"{self.controls[self.vary].description} = {text}"

    def show(self):
        """Show the frame of the current values: a swap if it is rendered, else render it."""
        params = self.params()
        found = _cached(self.draw, params)
        if found is not None:
            self._wanted = None
            self.image.value = found.png
            return True
        self._wanted = params
        self._enqueue([params], first=True)
        return False

    def _changed(self, change):
        self.show()
        if self.ahead:  # the rest of the grid, and one step on each other control from here
            self.prefetch()

    def prefetch(self):
        """Queue the frames a learner is likely to want next (replacing older requests)."""
        with self._condition:
            self._queue = [p for p in self._queue if p is self._wanted]
        self._enqueue(self._neighbours())

    def _enqueue(self, wanted, first=False):
        with self._condition:
            wanted = [p for p in wanted if _cached(self.draw, p) is None]
            self._queue = wanted + self._queue if first else self._queue + wanted
            if not self._queue:
                return
            if self._loop is not None:
                # In a kernel: one frame per turn of its event loop, between messages, on the
                # main thread (Matplotlib is not thread-safe, and later cells draw too).
                if not self._scheduled:
                    self._scheduled = True
                    self._loop.call_later(FRAME_PAUSE_S, self._step)
            elif self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, daemon=True,
                                                name=f"frames:{self.draw.__name__}")
                self._worker.start()
            self._condition.notify_all()

    def _render_next(self):
        """Render the next queued frame; False once the queue is empty."""
        with self._condition:
            if not self._queue:
                self._busy = False
                self._condition.notify_all()
                return False
            params = self._queue.pop(0)
            self._busy = True
        try:
            frame(self.draw, self._label(params), **params)
        except Exception as error:  # noqa: BLE001 - kept for the learner to see
            self.error = error
        else:
            if self._wanted is not None and \
                    _key(self.draw, self._wanted) == _key(self.draw, params):
                self.show()
        with self._condition:
            self._busy = False
            self._condition.notify_all()
        return True

    def _step(self):
        self._scheduled = False
        if self._render_next() and self._queue:
            self._scheduled = True
            self._loop.call_later(FRAME_PAUSE_S, self._step)

    def _work(self):
        while self._render_next():
            pass

    def pending(self):
        """The number of frames queued, plus one being rendered."""
        with self._condition:
            return len(self._queue) + int(self._busy)

    def wait(self, timeout=None):
        """Block until every queued frame is rendered (for tests and the benchmark)."""
        if self._loop is not None:  # in a kernel: render them now, on this thread
            while self._render_next():
                pass
            return True
        with self._condition:
            return self._condition.wait_for(lambda: not self._queue and not self._busy,
                                            timeout=timeout)

    def widget(self):
        """The controls above the image, three to a row."""
        import ipywidgets as widgets

        active = list(self.controls.values())
        box = widgets.VBox([widgets.HBox(active[i:i + 3]) for i in range(0, len(active), 3)])
        out = widgets.VBox([box, self.image])
        out.experiment = self  # for tests and the benchmark
        return out


def _kernel_loop():
    """The running event loop of an IPython kernel, or ``None`` (plain Python, tests)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or getattr(shell, "kernel", None) is None:
            return None
        import asyncio

        return asyncio.get_running_loop()
    except (ImportError, RuntimeError):
        return None


def _positions(control):
    if hasattr(control, "base"):
        return int(round((control.max - control.min) / control.step)) + 1
    if hasattr(control, "step") and control.step:
        return int(round((control.max - control.min) / control.step)) + 1
    return 2


def _steps_from(control):
    """The values one step either side of a control's current value."""
    value = control.value
    if hasattr(control, "options") and hasattr(control, "index"):
        values, _ = _options(control)
        i = control.index
        return [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
    if isinstance(value, bool):
        return [not value]
    if hasattr(control, "base"):
        exponent = math.log(value, control.base)
        found = [control.base ** (exponent + d * control.step) for d in (-1, 1)]
        return [v for v in found if control.base ** control.min <= v
                <= control.base ** control.max * (1 + 1e-12)]
    step = getattr(control, "step", None)
    if not step:
        return []
    return [v for v in (value - step, value + step) if control.min <= v <= control.max]


def live(draw, **controls):
    """Wire ``draw`` to ipywidgets controls; a move swaps one image for another.

    ``controls`` maps parameter names to ipywidgets (use :func:`slider`, :func:`log_slider`,
    :func:`dropdown`, ...); other values are passed through unchanged. The main parameter's
    control (see :func:`main_parameter`) becomes a slider over its grid (a continuous slider
    snaps to about 20 values, and says so); its frames are rendered ahead, between messages, for
    the current values of the other controls. Returns a widget to display.

    In a kernel, when a control is a drop-down, it also displays :data:`DROPDOWN_KEYS` (a
    script with no visible output) so that the arrow keys change a focused drop-down in
    JupyterLab instead of moving to another cell.
    """
    experiment = LiveExperiment(draw, controls)
    if _kernel_loop() is not None and any(
            type(c).__name__ == "Dropdown" for c in experiment.controls.values()):
        from IPython.display import Javascript, display

        display(Javascript(DROPDOWN_KEYS))
    return experiment.widget()


#: JupyterLab binds the arrow keys, in command mode, to "select the cell above/below", and its
#: shortcut's selector matches a focused ``<select>``: a focused drop-down lost its arrow keys
#: to the notebook (ipywidgets issue 3912). This script marks a widget drop-down, as a key
#: reaches it, with ``data-lm-suppress-shortcuts`` (the attribute with which JupyterLab lets
#: an element keep its keys); the drop-down then handles them as anywhere else. Run once per
#: page; in a page without JupyterLab (Colab, VS Code) the attribute does nothing.
DROPDOWN_KEYS = """
(() => {
  if (window.lrlibDropdownKeys) return;
  window.lrlibDropdownKeys = true;
  window.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof Element && target.tagName === "SELECT" &&
        target.closest(".widget-dropdown")) {
      target.setAttribute("data-lm-suppress-shortcuts", "true");
    }
  }, true);
})();
"""


# -- the same on the website: a scrubber -------------------------------------------------------

def _quantized(png):
    """A PNG with a 256-colour palette: a third to a half the bytes of Matplotlib's RGBA."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        small = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    return data if len(data) < len(png) else png


_ids = itertools.count(1)


class Scrubber:
    """An experiment's frames under a range input, as HTML (for the website).

    Shown in a notebook, it is a ``<figure class="lr-scrubber">``: the frame of the default
    value, a range input (disabled until the site's ``scrubber.js`` enables it; arrow keys
    move it one frame), the value it shows, and a caption. The frames are data: URIs in a
    ``data-frames`` attribute; the book's Sphinx extension (``lrlib.book.website``) writes
    them to image files and puts their paths there instead.
    """

    def __init__(self, draw, frames, values, labels, label, start, caption=None):
        self.draw, self.frames, self.values, self.labels = draw, frames, values, labels
        self.label, self.start = label, start
        self.caption = caption

    def sources(self):
        return ["data:image/png;base64," + base64.b64encode(_quantized(f.png)).decode("ascii")
                for f in self.frames]

    def _repr_html_(self):
        ident = f"lr-scrub-{self.draw.__name__}-{next(_ids)}"
        sources = self.sources()
        items = [{"src": src, "alt": f.alt, "label": text}
                 for src, f, text in zip(sources, self.frames, self.labels)]
        first = items[self.start]
        span = f"{self.labels[0]} to {self.labels[-1]}"
        caption = self.caption or (
            f"{_summary(self.draw)}, scrubbable. Move the slider (or focus it and use the arrow keys) to "
            f"change {self.label}, from {span}: {len(items)} frames drawn by the same "
            "function as the live widget.")
        esc = html.escape
        return (
            f'<figure class="lr-scrubber" id="{ident}">'
            f'<img class="lr-scrubber-frame" src="{first["src"]}" alt="{esc(first["alt"])}">'
            f'<div class="lr-scrubber-control">'
            f'<label for="{ident}-range">{esc(self.label)}</label>'
            f'<input type="range" id="{ident}-range" min="0" max="{len(items) - 1}" step="1" '
            f'value="{self.start}" aria-valuetext="{esc(self.label)} = {esc(first["label"])}" '
            f'data-label="{esc(self.label)}" disabled '
            f'data-frames="{esc(json.dumps(items, ensure_ascii=False))}">'
            f'<output for="{ident}-range" class="lr-scrubber-value">{esc(first["label"])}'
            f'</output></div>'
            f'<figcaption>{esc(caption)}</figcaption></figure>')


def scrubber(draw, vary=None, values=None, *, caption=None, **fixed):
    """The experiment scrubbable on a static page: its frames under a range input.

    ``vary`` and ``values`` default to the experiment's main parameter and its grid, the
    other parameters to its controls' defaults (updated with ``fixed``), as :func:`live`
    starts: so the page and the kernel show the same frames. Returns a :class:`Scrubber`,
    which a notebook shows as HTML.
    """
    vary, values, labels, label, params = _plan(draw, vary, values, fixed)
    rendered = [frame(draw, f"{label} = {text}", **params, **{vary: value})
                for value, text in zip(values, labels)]
    controls = controls_of(draw, **fixed)
    default = fixed.get(vary, getattr(controls.get(vary), "value", values[0]))
    start = min(range(len(values)), key=lambda i: (values[i] != default, i))
    return Scrubber(draw, rendered, values, labels, label, start, caption)
