"""The companion of the chapter "Warmup" (``chapters/warmup.ipynb``): the chapter's model
code, its experiment and the checkers of its exercises.

- **The setup and the schedule.** The experiment trains the course's network on the digits
  with **large batches** (:data:`LARGE_BATCH`: batches of 256, the linear scaling rule's
  territory of Goyal et al. 2017) and a cosine schedule whose peak is far above what the
  untrained network tolerates. :func:`warmup_schedule` puts a linear warmup of
  ``warmup_steps`` in front (the budget stays the same).
- **Runs and the sweep.** :func:`warmup_runs` trains it once per seed (cached: the sweep, the
  static figure and the slider share runs); :func:`warmup_sweep` counts, for each warmup
  length, the seeds that trained and their accuracy; :func:`plot_warmup_sweep` draws it.
- **The protocol's runs** (stored): :data:`PROTOCOL` is the same experiment on the digits'
  train / validation / test split with 10 paired seeds; :func:`protocol_trial` is one run
  (a warmup length, a peak, a seed); :data:`PROTOCOL_LENGTHS` × :data:`PROTOCOL_PEAKS` is the
  grid, stored in ``lrlib/course/results/warmup_digits.jsonl`` by :func:`main`
  (``python -m lrlib.course.warmup``) and read by :func:`protocol_results`;
  :func:`selected` picks the warmup length (and peak) on validation.
- **The experiment.** :func:`warmup_experiment` draws the schedule and the loss curves;
  :func:`warmup_experiment_controls` gives its sliders.
- **Adam's early steps.** :func:`adam_update_sizes`, the other reason for warmup: the size of
  Adam's update per unit of learning rate, $|\\hat m_t| / (\\sqrt{\\hat v_t} + \\epsilon)$, is
  1 for every weight at the first step, whatever the gradient, and falls as the moving
  averages fill with noise.
- **Checkers** of the exercises: :func:`check_adam_first_step`,
  :func:`check_linear_scaling_rate`, :func:`check_warmup_steps`,
  :func:`check_keras_cosine_warmup`.
"""

import functools
import math
import sys

import numpy as np

from lrlib import validation
from lrlib.course.check import Result, _as_float, check_number, check_schedule
from lrlib.course.runs import Record, Setup, run, summarize
from lrlib.course.plots import COLORS, PALETTE, accuracy_label, annotate_diverged
from lrlib.course.widgets.core import experiment, int_slider, log_slider
from lrlib.schedules import CosineAnnealing, Warmup, evaluate

__all__ = [
    "LARGE_BATCH",
    "PROTOCOL",
    "PROTOCOL_LENGTHS",
    "PROTOCOL_PEAKS",
    "protocol_family",
    "protocol_length",
    "protocol_trial",
    "protocol_results",
    "selected",
    "protocol_sweep",
    "plot_protocol",
    "main",
    "warmup_schedule",
    "warmup_runs",
    "warmup_sweep",
    "plot_warmup_sweep",
    "warmup_experiment",
    "warmup_experiment_controls",
    "adam_update_sizes",
    "check_adam_first_step",
    "check_noise_step",
    "check_linear_scaling_rate",
    "check_warmup_steps",
    "check_keras_cosine_warmup",
]

# -- the setup and the schedule ----------------------------------------------------------------

#: The chapter's setup: the common network and data, batches of 256 (6 steps an epoch),
#: 20 epochs = 120 steps, plain SGD, seeds 0, 1, 2.
LARGE_BATCH = Setup(epochs=20, batch_size=256)


def warmup_schedule(peak_rate, warmup_steps, total_steps):
    """Cosine annealing from ``peak_rate`` to 0, after a linear warmup of ``warmup_steps``.

    The whole schedule lasts ``total_steps``: the cosine takes the steps the warmup leaves.
    ``warmup_steps=0`` gives the plain cosine.

    Example:
        >>> from lrlib.course.warmup import warmup_schedule
        >>> warmup_schedule(4.0, 30, 120)
        Warmup(schedule=CosineAnnealing(initial_learning_rate=4.0, decay_steps=90, minimum_learning_rate=0.0), warmup_steps=30, initial_learning_rate=0.0)
    """
    peak_rate = validation.positive("peak_rate", peak_rate)
    total_steps = validation.integer("total_steps", total_steps, low=2)
    warmup_steps = validation.integer("warmup_steps", warmup_steps, low=0)
    if warmup_steps >= total_steps:
        raise ValueError(f"`warmup_steps` must be < total_steps ({total_steps}), "
                         f"got {warmup_steps}")
    if warmup_steps == 0:
        return CosineAnnealing(peak_rate, total_steps)
    return Warmup(CosineAnnealing(peak_rate, total_steps - warmup_steps), warmup_steps)


# -- the protocol's runs (stored) ---------------------------------------------------------------

#: The experiment under the course's protocol: the digits' train / validation / test split
#: (1,010 / 337 / 450 images), batches of 256, so 4 steps an epoch, for 30 epochs: the same
#: 120 steps as :data:`LARGE_BATCH` (which trains on 1,347 images, 6 steps an epoch, for 20
#: epochs), seeds 0-9 paired across every cell.
PROTOCOL = Setup(epochs=30, batch_size=256, validation=True, seeds=tuple(range(10)))

#: The warmup lengths of the stored grid, in steps (of 120).
PROTOCOL_LENGTHS = (0, 12, 24, 36, 48, 72, 96)

#: The peaks of the stored grid: half the linear-scaling peak, the linear-scaling peak 2.4
#: (8 times the common 0.3 for 8 times the batch) and the chapter's 4.
PROTOCOL_PEAKS = (1.2, 2.4, 4.0)


def protocol_family(warmup_steps):
    """The family name of a warmup length in the stored table: ``"warmup-48"``."""
    return f"warmup-{validation.integer('warmup_steps', warmup_steps, low=0)}"


def protocol_length(family):
    """The warmup length of a family name of the stored table (``"warmup-48"`` -> 48)."""
    if not isinstance(family, str) or not family.startswith("warmup-"):
        raise ValueError(f"`family` must be a name like 'warmup-48', got {family!r}")
    return int(family.split("-", 1)[1])


def protocol_trial(family, peak, seed, setup=PROTOCOL):
    """One cell of the stored grid: :func:`warmup_schedule` with the warmup length of
    ``family`` (``"warmup-<W>"``) and ``peak``, trained on ``setup`` with ``seed``; a
    :class:`lrlib.course.runs.Record` (the objective of :func:`lrlib.course.study.run_study`)."""
    schedule = warmup_schedule(peak, protocol_length(family), setup.total_steps)
    return Record.from_run(run(schedule, seed, setup), family=family, peak=peak,
                           task=setup.task)


#: The stored table's name (``lrlib/course/results/warmup_digits.jsonl``).
TABLE = "warmup_digits"


def protocol_results():
    """The stored grid (:data:`PROTOCOL_LENGTHS` × :data:`PROTOCOL_PEAKS` × 10 seeds) as
    :class:`lrlib.course.runs.SweepResults`."""
    from lrlib.course.study import stored

    return stored(TABLE)


def selected(results, peak=None, metric="val_accuracy"):
    """The ``(warmup_steps, peak)`` with the best mean ``metric`` over the seeds among the
    cells where no seed diverged, at ``peak`` only when given. Ties go to the shorter
    warmup, then the smaller peak."""
    best = None
    for family in results.families:
        for cell in results.cells(family):
            if not cell.stable or (peak is not None and cell.peak != peak):
                continue
            key = (-cell.mean(metric), protocol_length(family), cell.peak)
            best = key if best is None or key < best else best
    if best is None:
        raise ValueError("no cell trained on every seed")
    return best[1], best[2]


def protocol_sweep(results, peak, metric="accuracy"):
    """The stored grid at one ``peak`` in :func:`warmup_sweep`'s form (so that
    :func:`plot_warmup_sweep` draws it): for each warmup length, the seeds that trained and
    the mean and standard deviation of their ``metric``."""
    found = {}
    for family in sorted(results.families, key=protocol_length):
        records = results.cell(family, peak).records
        trained = [r.value(metric) for r in records if not r.diverged]
        found[protocol_length(family)] = {
            "trained": len(trained),
            "seeds": len(records),
            "accuracy_mean": float(np.mean(trained)) if trained else math.nan,
            "accuracy_std": float(np.std(trained)) if trained else math.nan,
            "diverged_at": [r.diverged_at for r in records if r.diverged],
        }
    return found


def plot_protocol(ax, results, metric="val_accuracy"):
    """The stored grid: mean ``metric`` over the seeds against the warmup length, one line
    per peak over the cells where every seed trained; a cross at the bottom, labelled with
    the count, where some seeds diverged."""
    peaks = results.rates
    lengths = sorted(results.families, key=protocol_length)
    stable = [100 * c.mean(metric) for f in lengths for c in results.cells(f) if c.stable]
    floor = min(stable) - 0.4 if stable else 0.0
    for index, peak in enumerate(peaks):
        color = COLORS[index % len(COLORS)]
        xs, ys = [], []
        for family in lengths:
            cell = results.cell(family, peak)
            if cell.stable:
                xs.append(protocol_length(family))
                ys.append(100 * cell.mean(metric))
                continue
            diverged = sum(r.diverged for r in cell.records)
            ax.plot([protocol_length(family)], [floor], "x", color=color, markersize=8)
            ax.annotate(f"{diverged}", (protocol_length(family), floor),
                        textcoords="offset points", xytext=(0, 6 + 9 * index), fontsize=8,
                        color=color, ha="center")
        ax.plot(xs, ys, "o-", color=color, markersize=4, label=f"peak {peak:g}")
    ax.plot([], [], "x", color=PALETTE["black"], label="seeds that diverge (of 10)")
    ax.set(xlabel="warmup length $W$ (steps, of 120)",
           ylabel=accuracy_label(metric, ", 10 seeds"),
           title="Warmup length and peak on the protocol's split")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def main(argv=None):
    """``python -m lrlib.course.warmup``: run the stored grid (one worker, resumable),
    write ``lrlib/course/results/warmup_digits.jsonl`` and print the time it took
    (:func:`lrlib.course.study.table_command`)."""
    from lrlib.course.study import table_command

    def grid():
        families = [protocol_family(w) for w in PROTOCOL_LENGTHS]
        return families, PROTOCOL_PEAKS, PROTOCOL, {"objective": protocol_trial}

    return table_command("python -m lrlib.course.warmup", TABLE, grid, argv)


# -- training runs and the sweep ---------------------------------------------------------------

@functools.lru_cache(maxsize=128)
def _runs(peak_rate, warmup_steps, setup):
    schedule = warmup_schedule(peak_rate, warmup_steps, setup.total_steps)
    return tuple(run(schedule, seed, setup) for seed in setup.seeds)


def warmup_runs(peak_rate, warmup_steps, setup=LARGE_BATCH):
    """One training run per seed of ``setup`` with :func:`warmup_schedule` (cached)."""
    peak_rate = validation.positive("peak_rate", peak_rate)
    warmup_steps = validation.integer("warmup_steps", warmup_steps, low=0)
    if not isinstance(setup, Setup):
        raise ValueError(f"`setup` must be an lrlib.course.runs.Setup, got {setup!r}")
    return list(_runs(float(peak_rate), warmup_steps, setup))


def warmup_sweep(peak_rate, warmup_lengths, setup=LARGE_BATCH):
    """For each warmup length: how many seeds trained, and their test accuracy.

    Returns a dict ``{warmup_steps: {"trained": k, "seeds": n, "accuracy_mean": ...,
    "accuracy_std": ..., "diverged_at": [...]}}``; the accuracy is over the runs that
    trained (NaN when none did).
    """
    results = {}
    for length in warmup_lengths:
        runs = warmup_runs(peak_rate, length, setup)
        summary = summarize(runs, f"warmup of {length} steps")
        results[int(length)] = {
            "trained": summary.runs - summary.diverged,
            "seeds": summary.runs,
            "accuracy_mean": summary.mean("accuracy"),
            "accuracy_std": summary.std("accuracy"),
            "diverged_at": [r.diverged_at for r in runs if r.diverged],
        }
    return results


def plot_warmup_sweep(axes, sweep, steps_per_epoch=None):
    """Left: seeds that trained against warmup length; right: their test accuracy."""
    ax_count, ax_accuracy = axes
    lengths = np.array(sorted(sweep))
    trained = np.array([sweep[w]["trained"] for w in lengths])
    seeds = max(sweep[w]["seeds"] for w in lengths)
    ax_count.bar(lengths, trained, width=0.7 * np.min(np.diff(lengths)) if lengths.size > 1
                 else 1.0, color=PALETTE["blue"])
    none = lengths[trained == 0]
    ax_count.plot(none, np.zeros(none.size), "x", color=PALETTE["vermillion"], markersize=9,
                  clip_on=False, label="none trained")
    if none.size:
        ax_count.legend(loc="upper left")
    ax_count.set_ylim(0, seeds + 0.3)
    ax_count.set_yticks(range(seeds + 1))
    ax_count.set_ylabel(f"seeds that trained (of {seeds})")
    ax_count.set_title("Does it train?")
    mean = np.array([sweep[w]["accuracy_mean"] for w in lengths])
    spread = np.array([sweep[w]["accuracy_std"] for w in lengths])
    ok = np.isfinite(mean)
    ax_accuracy.errorbar(lengths[ok], mean[ok], yerr=spread[ok], fmt="o-", capsize=3,
                         color=PALETTE["green"])
    for w in lengths[~ok]:
        ax_accuracy.axvline(w, color=PALETTE["vermillion"], alpha=0.25, linewidth=6)
    if (~ok).any():
        ax_accuracy.plot([], [], color=PALETTE["vermillion"], alpha=0.4, linewidth=6,
                         label="every seed diverged")
        ax_accuracy.legend(loc="lower right")
    ax_accuracy.set_ylabel("test accuracy (mean ± sd)")
    ax_accuracy.set_title("How well, when it does")
    label = "warmup length $W$ (steps)"
    if steps_per_epoch:
        label += f"; {steps_per_epoch} steps = 1 epoch"
    for ax in axes:
        ax.set_xlabel(label)
    return axes


# -- the experiment ----------------------------------------------------------------------------

@experiment(figsize=(9.0, 3.4))
def warmup_experiment(fig, warmup_steps=30, peak_rate=4.0, setup=LARGE_BATCH):
    """The schedule (left) and each seed's training loss (right) for one warmup and peak."""
    runs = warmup_runs(peak_rate, warmup_steps, setup)
    total = setup.total_steps
    ax_rate, ax_loss = fig.subplots(1, 2)
    t = np.arange(total)
    ax_rate.plot(t, evaluate(warmup_schedule(peak_rate, warmup_steps, total), t),
                 color=PALETTE["blue"])
    if warmup_steps:
        ax_rate.axvspan(0, warmup_steps, color=PALETTE["orange"], alpha=0.2, label="warmup")
        ax_rate.legend(loc="upper right")
    ax_rate.set_ylim(0.0, 1.1 * peak_rate)
    ax_rate.set_xlabel("step $t$")
    ax_rate.set_ylabel("learning rate $\\eta_t$")
    ax_rate.set_title(f"Warmup {warmup_steps} steps, peak {peak_rate:.3g}")
    for color, result in zip(COLORS, runs):
        losses = result.losses
        label = f"seed {result.seed}"
        if result.diverged:
            label += f": diverged at step {result.diverged_at}"
        ax_loss.plot(np.arange(losses.size), np.clip(losses, 1e-3, 1e4), color=color,
                     label=label, linewidth=1.2)
        if result.diverged:
            ax_loss.plot(losses.size - 1, min(losses[-1], 1e4), "x", color=color,
                         markersize=8)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(1e-3, 1e4)
    ax_loss.set_xlim(0, total)
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("batch training loss (log scale)")
    trained = [r for r in runs if not r.diverged]
    if trained:
        accuracy = np.mean([r.final_accuracy for r in trained])
        ax_loss.set_title(f"{len(trained)} of {len(runs)} seeds train: "
                          f"accuracy {accuracy:.3f}")
    else:
        ax_loss.set_title(f"All {len(runs)} seeds diverge")
        first = min(r.diverged_at for r in runs)
        annotate_diverged(ax_loss, first, where=(0.5, 0.5))
    ax_loss.legend(loc="upper right", fontsize=8)
    return fig


def warmup_experiment_controls():
    """The sliders for :func:`warmup_experiment`."""
    return {
        "warmup_steps": int_slider(48, 0, 96, step=12, description="warmup W (steps)"),
        "peak_rate": log_slider(4.0, 0.5, 8.0, description="peak rate η"),
    }


# -- Adam's early steps ------------------------------------------------------------------------

def adam_update_sizes(gradients, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adam's step per unit learning rate, $|\\hat m_t| / (\\sqrt{\\hat v_t} + \\epsilon)$.

    ``gradients`` has shape ``(steps, weights)``: one row of gradients per step. With bias
    correction (Kingma and Ba 2015), $\\hat m_1 = g_1$ and $\\hat v_1 = g_1^2$, so the first
    step moves every weight by the full learning rate, however small or noisy its gradient;
    later the moving averages average the noise out and the steps shrink. Computed as
    Keras's ``Adam`` does (same defaults; $\\epsilon$ is added to the uncorrected
    $\\sqrt{v_t}$, which makes the tiniest gradients' first steps slightly shorter than 1).

    Example:
        >>> import numpy as np
        >>> from lrlib.course.warmup import adam_update_sizes
        >>> sizes = adam_update_sizes(np.array([[1e-4, 3.0], [-1e-4, -3.0]]))
        >>> sizes[0].round(3).tolist()
        [0.969, 1.0]
    """
    gradients = np.asarray(gradients, dtype=float)
    if gradients.ndim != 2 or not np.all(np.isfinite(gradients)):
        raise ValueError("`gradients` must be a finite array of shape (steps, weights)")
    beta_1 = validation.real("beta_1", beta_1, low=0.0, high=1.0, high_open=True)
    beta_2 = validation.real("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
    epsilon = validation.positive("epsilon", epsilon)
    m = np.zeros(gradients.shape[1])
    v = np.zeros(gradients.shape[1])
    sizes = np.empty_like(gradients)
    for t, g in enumerate(gradients, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        correction = np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        sizes[t - 1] = correction * np.abs(m) / (np.sqrt(v) + epsilon)
    return sizes


# -- checkers of the exercises -----------------------------------------------------------------

_PLACEHOLDER = Result(False, "replace the `...` with your answer, then run the cell again.")

#: Goyal et al. (2017): ImageNet's training set and their reference batch and rate.
IMAGENET_TRAIN_IMAGES = 1_281_167
REFERENCE_BATCH, REFERENCE_RATE = 256, 0.1


def check_adam_first_step(answer):
    """Exercise warmup-ex-adam: Adam's first step (rate 0.01) for gradients 0.001, 1, 100."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    try:
        values = np.abs(np.asarray(answer, dtype=float)).ravel()
    except (TypeError, ValueError):
        return Result(False, f"give three numbers, one per weight, got {answer!r}.")
    if values.size != 3 or not np.all(np.isfinite(values)):
        return Result(False, f"give three numbers, one per weight, got {answer!r}.")
    expected = np.full(3, 0.01)
    from lrlib.course.check import record_answer

    record_answer("each weight's first step", "0.01 (η·g/|g|)", [0.01])
    if np.allclose(values, expected, rtol=0.05):
        return Result(True, "every weight moves by about the learning rate, 0.01, whatever "
                            "the size of its gradient: Adam's first step is η·sign(g).")
    if np.allclose(values, 0.01 * np.array([0.001, 1.0, 100.0]), rtol=0.05):
        return Result(False, "that is plain SGD's step, η·g. Adam divides by the root of "
                             "its second-moment estimate, which at step 1 is |g| itself.")
    return Result(False, f"you gave {values.tolist()}; at step 1, m̂ = g and v̂ = g², so "
                         "each weight moves by η·g/|g|.")


def check_noise_step(beta_1_0, beta_1_09):
    """Exercise warmup-ex-noise-step: Adam's mean step per unit rate on pure N(0, 1) noise.

    Once $\\sqrt{\\hat v_t} \\approx 1$: with $\\beta_1 = 0$ it is $E|g| = \\sqrt{2/\\pi}$; with
    $\\beta_1 = 0.9$ the running mean has standard deviation $\\sqrt{0.1/1.9}$, so the step is
    $\\sqrt{2/\\pi}\\sqrt{0.1/1.9} \\approx 0.18$.
    """
    if beta_1_0 is Ellipsis or beta_1_09 is Ellipsis:
        return _PLACEHOLDER
    from lrlib.course.check import record_answer

    plain = math.sqrt(2 / math.pi)
    averaged = plain * math.sqrt(0.1 / 1.9)
    # Both answers, for reveal(), even when the first is wrong and the second is not checked.
    record_answer("β₁ = 0", f"{plain:.6g}", [plain])
    record_answer("β₁ = 0.9", f"{averaged:.6g}", [averaged])
    first, second = _as_float(beta_1_0), _as_float(beta_1_09)
    allowed = "a mean step per unit rate is positive"
    result = check_number(beta_1_0, plain, name="β₁ = 0", rtol=0.05, low=0, allowed=allowed,
                          hints=["with β₁ = 0, m̂ = g: the step is |g|/√v̂ per unit rate, and "
                                 "once v̂ has averaged many g², √v̂ is the noise's size, 1.",
                                 "so the mean step is the mean of |g| for g ~ N(0, 1): an "
                                 "integral you can do, or estimate with NumPy."])
    if not result:
        if first is not None and math.isclose(first, 1.0, rel_tol=0.02):
            return Result(False, result.message + " 1 is the first step only, when v̂ = g². "
                                                   "Later √v̂ is the noise's size, 1, while |g| "
                                                   "varies from step to step: take its mean.")
        return result
    result = check_number(beta_1_09, averaged, name="β₁ = 0.9", rtol=0.08, low=0,
                          allowed=allowed,
                          hints=["with β₁ = 0.9, m is a weighted sum of past gradients, "
                                 "weights (1 − β₁)β₁^k: independent N(0, 1) noise gives a "
                                 "normal m with variance the sum of the squared weights.",
                                 "the step is then the mean of |m| over √v̂ ≈ 1, as for "
                                 "β₁ = 0 but with m's standard deviation in place of 1."])
    if not result:
        if second is not None and math.isclose(second, plain * 0.1, rel_tol=0.1):
            return Result(False, result.message + " The running mean's standard deviation is "
                                                   "not 1 − β₁: add up the squares of its "
                                                   "weights, (1 − β₁)β₁^k.")
        if second is not None and math.isclose(second, math.sqrt(0.1 / 1.9), rel_tol=0.05):
            return Result(False, result.message + " That is the running mean's standard "
                                                   "deviation; the step is its mean absolute "
                                                   "value, as for β₁ = 0.")
        return result
    return Result(True, f"about {plain:.2f} of the rate with β₁ = 0 and {averaged:.2f} with "
                        "β₁ = 0.9: the running mean cancels most of the noise, so after the "
                        "first steps a noise-dominated weight moves about five times less.")


def check_linear_scaling_rate(answer):
    """Exercise warmup-ex-goyal: the linear scaling rule's rate at batch 8192.

    Example:
        >>> from lrlib.course.warmup import check_linear_scaling_rate
        >>> print(check_linear_scaling_rate(0.1 * 8192 / 256))
        Correct. the learning rate at batch 8192: 3.2 matches 3.2.
    """
    if answer is Ellipsis:
        return _PLACEHOLDER
    expected = REFERENCE_RATE * 8192 / REFERENCE_BATCH
    result = check_number(answer, expected, name="the learning rate at batch 8192", rtol=1e-3,
                          low=0, allowed="a learning rate is positive")
    if not result and isinstance(answer, (int, float)) and math.isclose(
            answer, REFERENCE_RATE * math.sqrt(8192 / REFERENCE_BATCH), rel_tol=1e-3):
        return Result(False, "that is the square-root scaling rule; Goyal et al. scale the "
                             "rate linearly with the batch: η = 0.1 · 8192/256.")
    return result


def check_warmup_steps(answer):
    """Exercise warmup-ex-goyal: five epochs of ImageNet at batch 8192, in optimizer steps."""
    if answer is Ellipsis:
        return _PLACEHOLDER
    per_epoch = math.ceil(IMAGENET_TRAIN_IMAGES / 8192)
    expected = 5 * per_epoch
    result = check_number(answer, expected, name="the warmup length in steps", rtol=0.01,
                          low=0, allowed="a number of steps")
    if not result and isinstance(answer, (int, float)) and math.isclose(answer, 5, rel_tol=0.01):
        return Result(False, "5 is the warmup in epochs; the schedule counts optimizer steps: "
                             "an epoch is ceil(1,281,167 / 8192) steps.")
    return result


def check_keras_cosine_warmup(my_schedule):
    """Exercise warmup-ex-keras: lrlib's equivalent of Keras's cosine decay with warmup.

    The target is ``keras.optimizers.schedules.CosineDecay(0.0, decay_steps=1000,
    warmup_target=0.2, warmup_steps=100)``: 100 steps up to 0.2, then 1000 steps of cosine.
    """
    if my_schedule is Ellipsis:
        return _PLACEHOLDER

    def reference(step):
        if step < 100:
            return 0.2 * step / 100
        return 0.1 * (1 + math.cos(math.pi * min(step - 100, 1000) / 1000))

    steps = [0, 1, 50, 99, 100, 101, 350, 600, 999, 1000, 1099, 1100, 1500]
    result = check_schedule(my_schedule, reference, steps, name="my_schedule", rtol=1e-4,
                            atol=1e-7)
    if not result and callable(my_schedule):
        try:
            shorter = math.isclose(float(my_schedule(1000)), 0.0, abs_tol=1e-6)
        except Exception:
            shorter = False
        if shorter:
            return Result(False, result.message + " Your cosine ends at step 1000: in Keras, "
                                 "decay_steps counts the steps *after* the warmup.")
    return result


if __name__ == "__main__":
    sys.exit(main())
