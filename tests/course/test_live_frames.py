"""lrlib.course.widgets.live_frames: frames rendered ahead, swapped on a move; the scrubber."""

import html
import json
import re

import ipywidgets
import pytest

from lrlib.course import widgets
from lrlib.course.widgets import live_frames as lf

CALLS = []


@widgets.experiment(figsize=(2.0, 1.5))
def tiny(fig, rate=0.1, width=2, kind="a"):
    CALLS.append((rate, width, kind))
    ax = fig.subplots()
    ax.plot([0, 1], [0, rate * width])
    ax.set_title(f"{kind}: rate {rate:g}, width {width}")


def tiny_controls():
    return {"rate": widgets.log_slider(0.1, 1e-3, 1.0, description="rate η"),
            "width": widgets.int_slider(2, 1, 4),
            "kind": widgets.dropdown(["a", "b"], description="kind")}


@widgets.experiment(figsize=(2.0, 1.5), scrub="width")
def declared(fig, rate=0.1, width=2):
    fig.subplots().set_title(f"width {width}")


def declared_controls():
    controls = tiny_controls()
    del controls["kind"]
    return controls


@pytest.fixture(autouse=True)
def fresh():
    lf.clear_cache()
    CALLS.clear()
    yield
    lf.clear_cache()


def test_grids_of_each_kind_of_control_include_the_default_and_the_ends():
    values, labels = lf.grid(widgets.log_slider(0.15, 0.005, 2.0))
    assert 16 <= len(values) <= 24 and values[0] == 0.005 and values[-1] == 2.0
    assert 0.15 in values and values == sorted(values) and labels[values.index(0.15)] == "0.15"
    ratios = [b / a for a, b in zip(values, values[1:])]
    assert max(ratios) / min(ratios) < 1.6  # evenly spread on the log scale
    assert lf.grid(widgets.int_slider(50, 10, 200, step=10))[0] == list(range(10, 201, 10))
    many = lf.grid(widgets.int_slider(100, 20, 400, step=10))[0]
    assert len(many) <= 24 and 100 in many and many[0] == 20 and many[-1] == 400
    assert lf.grid(widgets.slider(0.9, 0.0, 0.98, step=0.02))[0][-1] == 0.98
    assert lf.grid(widgets.dropdown([("peak rate", "peak"), ("mean", "mean")],
                                    value="peak")) == \
        (["peak", "mean"], ["peak rate", "mean"])
    assert lf.grid(widgets.checkbox(True)) == ([False, True], ["off", "on"])


def test_main_parameter_is_declared_or_the_first_control():
    assert lf.main_parameter(tiny, tiny_controls()) == "rate"
    assert lf.main_parameter(declared, tiny_controls()) == "width"
    with pytest.raises(ValueError, match="no controls"):
        lf.main_parameter(tiny, {})


def test_frames_are_pngs_with_alt_text_and_cached():
    found = widgets.frames(tiny, "width", [1, 2, 3], kind="b")
    assert [f.png[:8] for f in found] == [b"\x89PNG\r\n\x1a\n"] * 3
    assert found[1].alt == "Tiny at width = 2: b: rate 0.1, width 2."
    assert len(CALLS) == 3
    again = widgets.frames(tiny, "width", [1, 2, 3], kind="b")
    assert len(CALLS) == 3 and [f.png for f in again] == [f.png for f in found]
    widgets.frames(tiny, "width", [1, 2, 3], kind="a")  # other fixed values: new frames
    assert len(CALLS) == 6


def test_frames_default_to_the_main_parameter_and_its_grid():
    found = widgets.frames(tiny)
    assert len(found) == len(lf.grid(tiny_controls()["rate"])[0])
    assert all(params == (rate, 2, "a") for params, rate in
               zip(CALLS, lf.grid(tiny_controls()["rate"])[0]))
    assert found[0].alt.startswith("Tiny at rate η = 0.001: ")
    assert [f.params["width"] for f in widgets.frames(declared)] == [1, 2, 3, 4]


def test_live_swaps_one_image_and_renders_ahead():
    box = widgets.live(tiny, **tiny_controls())
    experiment = box.experiment
    assert experiment.wait(timeout=60)
    image = box.children[1]
    assert isinstance(image, ipywidgets.Image) and bytes(image.value[:4]) == b"\x89PNG"
    main = experiment.controls["rate"]
    assert isinstance(main, ipywidgets.SelectionSlider)
    assert main.description == f"rate η ({len(experiment.values)} steps)"  # it snaps
    rendered = len(CALLS)
    assert rendered >= len(experiment.values)  # the whole grid, ahead
    before = image.value
    main.value = experiment.values[0]
    assert image.value != before and len(CALLS) == rendered  # a swap: nothing drawn
    assert image is box.children[1]  # the same image, a new value
    assert experiment.wait(timeout=60)  # then one step on each other control, ahead
    rendered = len(CALLS)
    experiment.controls["width"].value = 3  # another control: rendered one step ahead
    assert len(CALLS) == rendered and bytes(image.value) == lf.frame(tiny, rate=main.value,
                                                             width=3, kind="a").png
    experiment.controls["kind"].value = "b"  # not rendered yet: drawn, then shown
    assert experiment.wait(timeout=60)
    assert bytes(image.value) == lf.frame(tiny, rate=main.value, width=3, kind="b").png
    descriptions = [c.description for row in box.children[0].children for c in row.children]
    assert descriptions == [main.description, "width", "kind"]


def test_pending_frames_counts_what_is_left_to_render_ahead():
    lf.clear_cache()
    box = widgets.live(tiny, **tiny_controls())
    assert box.experiment.pending() >= 0 and lf.pending_frames() >= box.experiment.pending()
    assert box.experiment.wait(timeout=60)
    assert box.experiment.pending() == 0 and lf.pending_frames() == 0


def test_live_needs_a_control():
    with pytest.raises(ValueError, match="at least one control"):
        widgets.live(tiny, rate=0.1)


def test_scrubber_html_has_a_range_input_its_label_and_a_frame_each():
    scrub = widgets.scrubber(tiny, "width", [1, 2, 3], width=2)
    markup = scrub._repr_html_()
    assert markup.startswith('<figure class="lr-scrubber"') and "<figcaption>" in markup
    field = re.search(r'<input type="range"[^>]*>', markup)[0]
    assert 'min="0" max="2"' in field and 'value="1"' in field and "disabled" in field
    assert 'aria-valuetext="width = 2"' in field
    items = json.loads(html.unescape(re.search(r'data-frames="([^"]*)"', field)[1]))
    assert [i["label"] for i in items] == ["1", "2", "3"]
    assert all(i["src"].startswith("data:image/png;base64,") for i in items)
    assert len({i["src"] for i in items}) == 3
    assert items[1]["alt"] == "Tiny at width = 2: a: rate 0.1, width 2."
    img = re.search(r"<img [^>]*>", markup)[0]
    assert items[1]["src"] in img and 'class="lr-scrubber-frame"' in img
    assert '<output for="' in markup and ">2</output>" in markup
    assert "<script" not in markup  # the script is the site's own file


def test_scrubber_defaults_match_the_live_widget():
    scrub = widgets.scrubber(tiny)
    assert scrub.values == lf.grid(tiny_controls()["rate"])[0]
    assert scrub.values[scrub.start] == 0.1
    with pytest.raises(ValueError, match="`values`"):
        widgets.scrubber(tiny, "width", [])


def test_in_a_kernel_frames_are_rendered_between_messages_on_the_main_thread(monkeypatch):
    """In a kernel (a running event loop), no thread: one frame per turn of the loop."""
    import asyncio
    import threading

    async def session():
        monkeypatch.setattr(lf, "_kernel_loop", asyncio.get_running_loop)
        box = widgets.live(tiny, **tiny_controls())
        experiment = box.experiment
        assert len(CALLS) == 1 and experiment._worker is None  # the first frame, at once
        threads = threading.active_count()
        turns = 0
        while experiment._queue or experiment._scheduled:
            await asyncio.sleep(0)  # a message could be handled here
            turns += 1
            assert len(CALLS) <= turns + 1  # at most one frame per turn
        assert threading.active_count() == threads and experiment._worker is None
        assert len(CALLS) >= len(experiment.values)
        rendered = len(CALLS)
        experiment.controls["rate"].value = experiment.values[-1]  # a swap, then more ahead
        assert len(CALLS) == rendered
        assert bytes(box.children[1].value) == lf.frame(tiny, rate=experiment.values[-1],
                                                        width=2, kind="a").png

    asyncio.run(session())


def test_in_a_kernel_a_message_waits_for_one_frame_at_most(monkeypatch):
    """A message crosses several turns of the kernel's loop before its handler runs (ipykernel:
    socket, queue, dispatch...): frames rendered ahead must not take one turn each."""
    import asyncio

    async def session():
        monkeypatch.setattr(lf, "_kernel_loop", asyncio.get_running_loop)
        lf.clear_cache()
        experiment = widgets.live(tiny, **tiny_controls()).experiment
        assert experiment.pending() > 5
        before = len(CALLS)
        for _ in range(8):  # the hops of one message
            await asyncio.sleep(0)
        assert len(CALLS) - before <= 1
        while experiment.pending():
            await asyncio.sleep(0.01)

    asyncio.run(session())


def test_a_frame_with_short_titles_says_what_its_axes_show():
    @widgets.experiment(figsize=(2.0, 1.5))
    def curve(fig, family="step"):
        ax = fig.subplots()
        ax.set_title(family)
        ax.set_xlabel("peak rate")
        ax.set_ylabel("accuracy")

    found = lf.frame(curve, "schedule = step", family="step")
    assert found.alt == "Curve at schedule = step: step (accuracy against peak rate)."


def test_alt_text_has_no_tex():
    assert lf._plain(r"rate $\eta_0$, limit $2/\lambda$ = $\tfrac{1}{2}$") == \
        "rate η₀, limit 2/λ = 1/2"
    assert lf._plain("no formula: 5$") == "no formula: 5"
