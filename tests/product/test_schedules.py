"""lrlib.schedules: formulas against Keras's built-ins and the papers, properties, Keras use."""

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlib import schedules as S

KS = keras.optimizers.schedules
STEPS = np.array([0, 1, 2, 7, 99, 100, 101, 149, 150, 299, 300, 301, 700, 1000, 1001, 4567, 10**6])

rates = st.floats(1e-5, 10.0)
fractions = st.floats(0.01, 1.0)
counts = st.integers(1, 5000)
step_arrays = st.lists(st.integers(0, 200_000), min_size=1, max_size=40).map(np.array)


def keras_values(schedule, steps):
    return np.array([float(schedule(int(s))) for s in steps])


# -- formulas against Keras's built-ins ------------------------------------------------------

@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("decay_rate", [0.5, 0.9, 0.96, 1.0])
def test_exponential_decay_equals_keras(staircase, decay_rate):
    ours = S.ExponentialDecay(0.1, decay_steps=100, decay_rate=decay_rate, staircase=staircase)
    theirs = KS.ExponentialDecay(0.1, decay_steps=100, decay_rate=decay_rate, staircase=staircase)
    np.testing.assert_allclose(ours(STEPS), keras_values(theirs, STEPS), rtol=1e-5, atol=1e-30)


@pytest.mark.parametrize("minimum", [0.0, 0.001, 0.05])
def test_cosine_annealing_equals_keras_cosine_decay(minimum):
    ours = S.CosineAnnealing(0.1, decay_steps=300, minimum_learning_rate=minimum)
    theirs = KS.CosineDecay(0.1, decay_steps=300, alpha=minimum / 0.1)
    np.testing.assert_allclose(ours(STEPS), keras_values(theirs, STEPS), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("t_mul,m_mul,minimum", [
    (2.0, 1.0, 0.0), (1.0, 1.0, 0.0), (2.0, 0.5, 0.0), (1.5, 0.8, 0.01), (3.0, 1.0, 0.02),
])
def test_warm_restarts_equals_keras_cosine_decay_restarts(t_mul, m_mul, minimum):
    ours = S.WarmRestarts(0.1, first_cycle_steps=100, cycle_multiplier=t_mul,
                          peak_multiplier=m_mul, minimum_learning_rate=minimum)
    theirs = KS.CosineDecayRestarts(0.1, first_decay_steps=100, t_mul=t_mul, m_mul=m_mul,
                                    alpha=minimum / 0.1)
    # Away from the restart steps themselves (where float32 logarithms in Keras can round to
    # the previous cycle; there ours is checked against the paper's formula below).
    starts = ours.cycle_starts(12)
    steps = np.array([s for s in range(0, 3000, 7) if not np.any(np.isclose(s, starts))])
    np.testing.assert_allclose(ours(steps), keras_values(theirs, steps), rtol=2e-4, atol=1e-6)


def test_step_decay_equals_keras_piecewise_constant():
    ours = S.StepDecay(0.1, drop_factor=0.5, drop_every=100)
    # Keras's value i applies while step <= boundaries[i]: to drop *at* step 100, use 99.
    boundaries = [99, 199, 299, 399]
    values = [0.1 * 0.5**i for i in range(5)]
    theirs = KS.PiecewiseConstantDecay(boundaries, values)
    steps = np.arange(0, 450)
    np.testing.assert_allclose(ours(steps), keras_values(theirs, steps), rtol=1e-6)


def test_warmup_around_cosine_equals_keras_cosine_decay_with_warmup():
    ours = S.Warmup(S.CosineAnnealing(0.1, decay_steps=500), warmup_steps=50)
    theirs = KS.CosineDecay(0.0, decay_steps=500, warmup_target=0.1, warmup_steps=50)
    steps = np.arange(0, 700, 3)
    np.testing.assert_allclose(ours(steps), keras_values(theirs, steps), rtol=1e-5, atol=1e-7)


# -- formulas against the papers (where Keras has none) ---------------------------------------

def smith_clr(t, lo, hi, s, mode, gamma):
    """Smith (2017), Section 3.1, as written in the paper's code listing."""
    cycle = math.floor(1 + t / (2 * s))
    x = abs(t / s - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma**t}[mode]
    return lo + (hi - lo) * max(0.0, 1 - x) * scale


@pytest.mark.parametrize("mode,gamma", [("triangular", 1.0), ("triangular2", 1.0),
                                        ("exp_range", 0.999)])
def test_cyclical_matches_smith(mode, gamma):
    ours = S.CyclicalLearningRate(0.001, 0.006, step_size=200, mode=mode, gamma=gamma)
    steps = np.arange(0, 2000, 13)
    expected = [smith_clr(t, 0.001, 0.006, 200, mode, gamma) for t in steps]
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-9)


def pytorch_one_cycle(step, max_lr, total, pct=0.3, div=25.0, final_div=1e4):
    """PyTorch's OneCycleLR (anneal_strategy='cos', three_phase=False), transcribed."""
    initial = max_lr / div
    minimum = initial / final_div
    phases = [(float(pct * total) - 1, initial, max_lr), (total - 1, max_lr, minimum)]
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            fraction = (step - start_step) / (end_step - start_step)
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1)
        start_step = end_step


@pytest.mark.parametrize("total,pct", [(1000, 0.3), (430, 0.25), (97, 0.5)])
def test_one_cycle_matches_pytorch(total, pct):
    ours = S.OneCycle(0.1, total_steps=total, warmup_fraction=pct)
    steps = np.arange(total)
    expected = [pytorch_one_cycle(t, 0.1, total, pct) for t in steps]
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-9, atol=1e-15)
    assert ours(total - 1) == pytest.approx(0.1 / 25 / 1e4)
    assert ours(total + 500) == pytest.approx(ours(total - 1))  # stays at the end value


def fastai_one_cycle(n, lr_max, pct_start=0.25, div=25.0, div_final=1e5, dtype=np.float64):
    """fastai's ``Learner.fit_one_cycle`` learning rates for its ``n`` iterations, transcribed.

    fastai/callback/schedule.py: ``fit_one_cycle`` schedules the rate with
    ``combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)``, that is
    ``combine_scheds([pct, 1-pct], [SchedCos(start, middle), SchedCos(middle, end)])`` with
    ``sched_cos(start, end, pos) = start + (1 + math.cos(math.pi*(1-pos))) * (end-start) / 2``;
    ``ParamScheduler.before_batch`` calls it at ``learn.pct_train``, which ``TrainEvalCallback``
    (fastai/callback/core.py) starts at 0. and advances by ``1./(n_iter*n_epoch)`` after each
    batch (one epoch here). ``combine_scheds`` keeps ``pcts`` in a ``tensor``, float32 by
    torch's default: ``dtype=np.float32`` does its phase arithmetic in float32 as fastai does,
    ``np.float64`` is the same formula without that rounding.
    """
    def sched_cos(start, end, pos):
        return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2

    scheds = [(lr_max / div, lr_max), (lr_max, lr_max / div_final)]
    pcts = np.cumsum(np.array([0, pct_start, 1 - pct_start], dtype=dtype))
    pct_lim = len(pcts) - 2
    rates, pct_train = [], 0.0
    for _ in range(n):
        pos = dtype(pct_train)
        idx = min(int(np.flatnonzero(pos >= pcts).max()), pct_lim)
        actual_pos = (pos - pcts[idx]) / (pcts[idx + 1] - pcts[idx])
        rates.append(sched_cos(*scheds[idx], float(actual_pos)))
        pct_train += 1.0 / n
    return np.array(rates)


# pct_start * n: whole (100, 1000, 10 * 0.3) and not (10 * 0.25 = 2.5, 437 * 0.25 = 109.25,
# 437 * 0.3 = 131.1); the last case is fastai's fine_tune (pct_start=0.3, div=5).
@pytest.mark.parametrize("n,pct,div", [
    (10, 0.25, 25.0), (100, 0.25, 25.0), (1000, 0.25, 25.0), (437, 0.25, 25.0),
    (10, 0.3, 25.0), (100, 0.3, 25.0), (1000, 0.3, 25.0), (437, 0.3, 25.0), (437, 0.3, 5.0),
])
def test_one_cycle_fastai_reproduces_fit_one_cycle(n, pct, div):
    ours = S.OneCycle.fastai(0.1, n, pct_start=pct, div=div)
    assert ours == S.OneCycle(0.1, n + 1, (pct * n + 1) / (n + 1), div, 1e5 / div)
    steps = np.arange(n)
    expected = fastai_one_cycle(n, 0.1, pct, div)
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-6)
    # fastai's own float32 phase arithmetic moves only the last, smallest rates, by < 1e-4.
    np.testing.assert_allclose(ours(steps), fastai_one_cycle(n, 0.1, pct, div, dtype=np.float32),
                               rtol=1e-4)
    # The PyTorch-style mapping peaks one step earlier and ends at lr_max / div_final.
    pytorch_style = S.OneCycle(0.1, n, warmup_fraction=pct, initial_divisor=div,
                               final_divisor=1e5 / div)
    assert ours.peak_step == pytest.approx(pct * n) == pytorch_style.peak_step + 1
    assert int(expected.argmax()) == int(ours(steps).argmax())
    assert int(expected.argmax()) == int(pytorch_style(steps).argmax()) + 1
    assert pytorch_style(n - 1) == pytest.approx(0.1 / 1e5)
    assert ours(n - 1) == pytest.approx(expected[-1]) and expected[-1] > 0.1 / 1e5


def test_one_cycle_fastai_is_an_ordinary_one_cycle():
    schedule = S.OneCycle.fastai(0.1, 437, pct_start=0.3, div=5.0, div_final=1e4)
    assert type(schedule) is S.OneCycle
    assert schedule.get_config() == {
        "maximal_learning_rate": 0.1, "total_steps": 438, "warmup_fraction": 132.1 / 438,
        "initial_divisor": 5.0, "final_divisor": 2000.0,
    }
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert restored == schedule == S.OneCycle.from_config(schedule.get_config())


def sgdr(t, eta0, t0, m, p, eta_min):
    """Loshchilov and Hutter (2017), eq. 5, with Keras's peak multiplier, in float64."""
    start, length, cycle = 0, t0, 0
    while t >= start + length:
        start, length, cycle = start + length, length * m, cycle + 1
    fraction = (t - start) / length
    return eta_min + p**cycle * (eta0 - eta_min) * 0.5 * (1 + math.cos(math.pi * fraction))


@pytest.mark.parametrize("m,p,eta_min", [(2, 1.0, 0.0), (1, 1.0, 0.0), (3, 0.5, 0.01)])
def test_warm_restarts_match_the_paper_including_restart_steps(m, p, eta_min):
    ours = S.WarmRestarts(0.1, 50, cycle_multiplier=m, peak_multiplier=p,
                          minimum_learning_rate=eta_min)
    steps = np.unique(np.concatenate([np.arange(0, 3000, 11), ours.cycle_starts(6),
                                      ours.cycle_starts(6)[1:] - 1]))
    expected = [sgdr(t, 0.1, 50, m, p, eta_min) for t in steps]
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-6, atol=1e-12)
    for start in ours.cycle_starts(5)[1:]:  # every restart jumps back up to its peak
        assert ours(start) > ours(start - 1)


def test_step_decay_formula():
    schedule = S.StepDecay(0.2, drop_factor=0.1, drop_every=30)
    assert schedule(0) == pytest.approx(0.2)
    assert schedule(29) == pytest.approx(0.2)
    assert schedule(30) == pytest.approx(0.02)
    assert schedule(95) == pytest.approx(0.2 * 0.1**3)


def test_warmup_ramps_linearly_then_hands_over():
    inner = S.StepDecay(0.1, 0.5, drop_every=100)
    schedule = S.Warmup(inner, warmup_steps=20, initial_learning_rate=0.01)
    assert schedule(0) == pytest.approx(0.01)
    assert schedule(10) == pytest.approx(0.055)
    assert schedule(20) == pytest.approx(0.1)
    assert schedule(120) == pytest.approx(0.05)  # inner step 100
    assert S.Warmup(0.3, 10)(5) == pytest.approx(0.15)  # a number is a constant schedule


# -- warmup-stable-decay and inverse square root: the formulas at their boundaries ----

def wsd(s, peak, total, warmup, decay, shape="linear", final=0.0):
    """The issue's WarmupStableDecay, written out in float64 for one step ``s``."""
    start = total - decay
    if s < warmup:
        return peak * s / warmup
    if s < start:
        return peak
    p = min((s - start) / decay, 1.0)
    f = {"linear": 1 - p, "cosine": (1 + math.cos(math.pi * p)) / 2, "sqrt": 1 - math.sqrt(p)}
    return final + (peak - final) * f[shape]


@pytest.mark.parametrize("shape", S.WarmupStableDecay.MODES)
@pytest.mark.parametrize("warmup,decay,final", [(10, 30, 0.0), (10, 30, 0.02), (0, 30, 0.0),
                                                (0, 100, 0.0), (20, 80, 0.01), (1, 1, 0.0)])
def test_warmup_stable_decay_at_its_boundaries(shape, warmup, decay, final):
    total, peak = 100, 0.1
    schedule = S.WarmupStableDecay(peak, total, warmup, decay, shape, final)
    start = total - decay
    boundaries = sorted({0, max(warmup - 1, 0), warmup, max(start - 1, 0), start,
                         (start + total) // 2, total - 1, total, total + 1, 10 * total})
    expected = [wsd(s, peak, total, warmup, decay, shape, final) for s in boundaries]
    np.testing.assert_allclose(schedule(np.array(boundaries)), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(schedule(np.arange(3 * total)),
                               [wsd(s, peak, total, warmup, decay, shape, final)
                                for s in range(3 * total)], rtol=1e-12, atol=1e-15)
    # The boundaries, said in words.
    assert schedule(0) == (0.0 if warmup else pytest.approx(peak))  # W = 0: the peak at once
    if warmup:
        assert schedule(warmup - 1) == pytest.approx(peak * (warmup - 1) / warmup)
    assert schedule(warmup) == pytest.approx(peak)
    assert schedule(start) == pytest.approx(peak)  # the decay starts from the peak
    if start > warmup:
        assert schedule(start - 1) == pytest.approx(peak)
    assert schedule(total) == pytest.approx(final, abs=1e-15)
    assert schedule(total + 1) == schedule(10 * total) == pytest.approx(final, abs=1e-15)


def test_warmup_stable_decay_shapes_midway():
    schedules = {shape: S.WarmupStableDecay(1.0, 100, 0, 100, shape) for shape in
                 S.WarmupStableDecay.MODES}
    assert schedules["linear"](25) == pytest.approx(0.75)
    assert schedules["cosine"](50) == pytest.approx(0.5)
    assert schedules["sqrt"](25) == pytest.approx(0.5)


def test_linear_decay_to_zero_is_keras_polynomial_decay_and_a_wsd_without_plateau():
    total = 500
    steps = np.arange(0, 2 * total, 7)
    polynomial = KS.PolynomialDecay(0.1, decay_steps=total, end_learning_rate=0.0, power=1.0)
    wsd_linear = S.WarmupStableDecay(0.1, total, warmup_steps=0, decay_steps=total)
    np.testing.assert_allclose(wsd_linear(steps), 0.1 * np.clip(1 - steps / total, 0, None),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(wsd_linear(steps), keras_values(polynomial, steps),
                               rtol=1e-6, atol=1e-8)
    # With a warmup in front: the same as lrlib's Warmup around Keras's PolynomialDecay.
    warm = S.WarmupStableDecay(0.1, total, warmup_steps=50, decay_steps=total - 50)
    wrapped = S.Warmup(KS.PolynomialDecay(0.1, total - 50, 0.0, power=1.0), 50)
    np.testing.assert_allclose(warm(steps), wrapped(steps), rtol=1e-6, atol=1e-8)


def test_inverse_square_root_at_its_boundaries():
    peak, warmup = 0.1, 100
    schedule = S.InverseSquareRoot(peak, warmup)
    assert schedule(0) == 0.0  # the warmup starts at 0
    assert schedule(warmup - 1) == pytest.approx(peak * (warmup - 1) / warmup)
    assert schedule(warmup) == pytest.approx(peak)
    assert schedule(warmup + 1) == pytest.approx(peak * math.sqrt(warmup / (warmup + 1)))
    assert schedule(4 * warmup) == pytest.approx(peak / 2)
    assert schedule(10**8) == pytest.approx(peak * math.sqrt(warmup / 10**8))
    steps = np.arange(0, 5000, 3)
    expected = [peak * s / warmup if s < warmup else peak * math.sqrt(warmup / s) for s in steps]
    np.testing.assert_allclose(schedule(steps), expected, rtol=1e-12, atol=1e-15)
    # Vaswani et al. (2017), eq. 3: d^-0.5 min(t^-0.5, t W^-1.5) for t >= 1.
    d = 512
    vaswani = [d**-0.5 * min(s**-0.5, s * warmup**-1.5) for s in steps[1:]]
    np.testing.assert_allclose(S.InverseSquareRoot((d * warmup) ** -0.5, warmup)(steps[1:]),
                               vaswani, rtol=1e-12)
    assert S.InverseSquareRoot(0.1, 1)(0) == 0.0 and S.InverseSquareRoot(0.1, 1)(1) == 0.1


@pytest.mark.parametrize("factory,argument", [
    (lambda: S.WarmupStableDecay(0.1, 100, 50, 60), "total_steps"),  # W + D > T
    (lambda: S.WarmupStableDecay(0.1, 100, 10, 0), "decay_steps"),
    (lambda: S.WarmupStableDecay(0.1, 100, 10, -5), "decay_steps"),
    (lambda: S.WarmupStableDecay(0.1, 100, -1, 10), "warmup_steps"),
    (lambda: S.WarmupStableDecay(0.1, 100, 10, 10, final_learning_rate=0.2),
     "final_learning_rate"),
    (lambda: S.WarmupStableDecay(0.1, 100, 10, 10, final_learning_rate=-0.01),
     "final_learning_rate"),
    (lambda: S.WarmupStableDecay(0.1, 100, 10, 10, decay_shape="exponential"), "decay_shape"),
    (lambda: S.WarmupStableDecay(0.0, 100, 10, 10), "peak_learning_rate"),
    (lambda: S.WarmupStableDecay(0.1, 0, 0, 1), "total_steps"),
    (lambda: S.WarmupStableDecay(0.1, 100.5, 10, 10), "total_steps"),
    (lambda: S.InverseSquareRoot(0.1, 0), "warmup_steps"),
    (lambda: S.InverseSquareRoot(-0.1, 10), "peak_learning_rate"),
    (lambda: S.InverseSquareRoot(0.1, 2.5), "warmup_steps"),
])
def test_new_schedules_reject_bad_input_naming_the_argument(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        factory()


def test_warmup_stable_decay_with_no_stable_phase_and_a_full_budget():
    schedule = S.WarmupStableDecay(0.1, 100, warmup_steps=40, decay_steps=60)  # W + D = T
    assert schedule(39) == pytest.approx(0.1 * 39 / 40)
    assert schedule(40) == pytest.approx(0.1)  # W = S: the peak for one step, then decay
    assert schedule(41) == pytest.approx(0.1 * (1 - 1 / 60))


def test_half_life():
    assert S.ExponentialDecay(0.1, 10000, 0.9).half_life == pytest.approx(10000 * math.log(2) / math.log(1 / 0.9))
    assert round(S.ExponentialDecay(0.1, 10000, 0.9).half_life) == 65788
    assert S.ExponentialDecay(0.1, 10, 1.0).half_life == math.inf


def test_evaluate_accepts_numbers_keras_schedules_and_callables():
    np.testing.assert_allclose(S.evaluate(0.1, 3), [0.1, 0.1, 0.1])
    cosine_with_warmup = KS.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10)
    values = S.evaluate(cosine_with_warmup, np.arange(20))  # uses ops.cond: falls back per step
    assert values.shape == (20,) and values[10] == pytest.approx(0.1)
    np.testing.assert_allclose(S.evaluate(lambda t: 0.1 / (1 + t), [0, 1]), [0.1, 0.05])


@pytest.mark.parametrize("family", S.FAMILIES)
def test_for_budget_peaks_at_the_rate(family):
    schedule = S.for_budget(family, 0.2, total_steps=800)
    values = S.evaluate(schedule, 800)
    assert values.max() == pytest.approx(0.2, rel=1e-3)
    assert np.all(values > 0) or family in ("cosine", "restarts")


# -- properties ------------------------------------------------------------------------------

@settings(deadline=None, max_examples=40)
@given(eta=rates, f=fractions, s=counts, steps=step_arrays)
def test_step_decay_bounds_and_monotone(eta, f, s, steps):
    values = S.StepDecay(eta, f, s)(np.sort(steps))
    assert np.all(np.isfinite(values)) and np.all(values <= eta * (1 + 1e-12))
    assert np.all(np.diff(values) <= 1e-15)


@settings(deadline=None, max_examples=40)
@given(eta=rates, frac=st.one_of(st.just(0.0), st.floats(1e-6, 0.99)), T=counts, steps=step_arrays)
def test_cosine_bounds_and_monotone(eta, frac, T, steps):
    minimum = eta * frac
    values = S.CosineAnnealing(eta, T, minimum)(np.sort(steps))
    assert np.all(values >= minimum * (1 - 1e-9)) and np.all(values <= eta * (1 + 1e-9))
    assert np.all(np.diff(values) <= 1e-12)


@settings(deadline=None, max_examples=40)
@given(lo=st.floats(1e-5, 1.0), ratio=st.floats(1.01, 100.0), s=st.integers(1, 500),
       mode=st.sampled_from(S.CyclicalLearningRate.MODES), steps=step_arrays)
def test_cyclical_bounds_and_period(lo, ratio, s, mode, steps):
    hi = lo * ratio
    schedule = S.CyclicalLearningRate(lo, hi, s, mode=mode, gamma=0.9999)
    values = schedule(steps)
    assert np.all(values >= lo * (1 - 1e-9)) and np.all(values <= hi * (1 + 1e-9))
    if mode == "triangular":  # periodic with period 2s
        np.testing.assert_allclose(schedule(steps + 2 * s), values, rtol=1e-6)


@settings(deadline=None, max_examples=40)
@given(eta=rates, T0=st.integers(1, 300), m=st.sampled_from([1.0, 1.5, 2.0, 3.0]),
       p=st.floats(0.1, 1.0), steps=step_arrays)
def test_warm_restarts_bounds(eta, T0, m, p, steps):
    values = S.WarmRestarts(eta, T0, m, p)(steps)
    assert np.all(np.isfinite(values))
    assert np.all(values >= -1e-12) and np.all(values <= eta * (1 + 1e-9))


@settings(deadline=None, max_examples=40)
@given(eta=rates, total=st.integers(20, 100_000), pct=st.floats(0.1, 0.9), steps=step_arrays)
def test_one_cycle_bounds(eta, total, pct, steps):
    schedule = S.OneCycle(eta, total, warmup_fraction=pct)
    values = schedule(steps)
    assert np.all(values <= eta * (1 + 1e-9))
    assert np.all(values >= schedule.final_learning_rate * (1 - 1e-6))


ALL = [
    S.Constant(0.1),
    S.StepDecay(0.1, 0.5, 100),
    S.ExponentialDecay(0.1, 1000, 0.5, staircase=True),
    S.CosineAnnealing(0.1, 1000, 0.001),
    S.WarmRestarts(0.1, 100, 2.0, 0.8, 0.001),
    S.CyclicalLearningRate(0.001, 0.01, 200, "triangular2"),
    S.OneCycle(0.1, 1000, 0.25, 10.0, 100.0),
    S.Warmup(S.OneCycle(0.1, 1000), 100, 0.001),
    S.PlateauScaled(S.Warmup(S.CosineAnnealing(0.1, 1000), 50), scale=0.5),
    S.WarmupStableDecay(0.1, 1000, 100, 200, "sqrt", 0.001),
    S.WarmupStableDecay(0.1, 1000, 0, 1000, "cosine"),
    S.InverseSquareRoot(0.1, 100),
    S.Warmup(KS.ExponentialDecay(0.1, 100, 0.9), 10),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    clone = type(schedule).from_config(schedule.get_config())
    np.testing.assert_allclose(clone(STEPS), schedule(STEPS))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert type(restored) is type(schedule)
    np.testing.assert_allclose(restored(STEPS), schedule(STEPS))


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_call_on_int_tensor_and_array_agree(schedule):
    for step in (0, 5, 250, 999):
        as_int = schedule(step)
        assert isinstance(as_int, float)
        as_tensor = float(keras.ops.convert_to_numpy(schedule(keras.ops.convert_to_tensor(step))))
        assert as_tensor == pytest.approx(as_int, rel=1e-5, abs=1e-9)
    assert schedule(np.arange(10)).shape == (10,)


def test_model_with_every_schedule_saves_and_loads(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    for index, schedule in enumerate(ALL[:-1]):  # the last wraps a Keras schedule: same path
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        path = tmp_path / f"model{index}.keras"
        model.save(path)
        loaded = keras.models.load_model(path)  # no custom_objects needed
        restored = loaded.optimizer._learning_rate
        assert type(restored) is type(schedule)
        assert float(loaded.optimizer.learning_rate) == pytest.approx(schedule(4), rel=1e-5)


def test_schedule_drives_keras_training():
    schedule = S.CyclicalLearningRate(0.01, 0.05, step_size=2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(np.ones((12, 2)), np.ones(12), batch_size=2, epochs=1, verbose=0)
    assert int(optimizer.iterations) == 6
    assert float(optimizer.learning_rate) == pytest.approx(schedule(6))


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("factory,argument", [
    (lambda: S.StepDecay(0.0, 0.5, 10), "initial_learning_rate"),
    (lambda: S.StepDecay(-1.0, 0.5, 10), "initial_learning_rate"),
    (lambda: S.StepDecay(0.1, 0.0, 10), "drop_factor"),
    (lambda: S.StepDecay(0.1, 1.5, 10), "drop_factor"),
    (lambda: S.StepDecay(0.1, 0.5, 0), "drop_every"),
    (lambda: S.StepDecay(0.1, 0.5, 2.5), "drop_every"),
    (lambda: S.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
    (lambda: S.ExponentialDecay(0.1, 10, 0.0), "decay_rate"),
    (lambda: S.ExponentialDecay(0.1, 10, 0.5, staircase="yes"), "staircase"),
    (lambda: S.ExponentialDecay(float("nan"), 10, 0.5), "initial_learning_rate"),
    (lambda: S.CosineAnnealing(0.1, 100, 0.2), "minimum_learning_rate"),
    (lambda: S.CosineAnnealing(0.1, -5), "decay_steps"),
    (lambda: S.WarmRestarts(0.1, 10, cycle_multiplier=0.5), "cycle_multiplier"),
    (lambda: S.WarmRestarts(0.1, 10, peak_multiplier=0.0), "peak_multiplier"),
    (lambda: S.WarmRestarts(0.1, 0), "first_cycle_steps"),
    (lambda: S.CyclicalLearningRate(0.1, 0.05, 10), "maximal_learning_rate"),
    (lambda: S.CyclicalLearningRate(0.01, 0.05, 10, mode="sine"), "mode"),
    (lambda: S.CyclicalLearningRate(0.01, 0.05, 10, gamma=1.5), "gamma"),
    (lambda: S.CyclicalLearningRate(0.01, 0.05, 0), "step_size"),
    (lambda: S.OneCycle(0.1, 1), "total_steps"),
    (lambda: S.OneCycle(0.1, 3, warmup_fraction=0.3), "total_steps"),
    (lambda: S.OneCycle(0.1, 100, warmup_fraction=1.0), "warmup_fraction"),
    (lambda: S.OneCycle(0.1, 100, initial_divisor=0.5), "initial_divisor"),
    (lambda: S.OneCycle(0.1, 100, final_divisor=0.0), "final_divisor"),
    (lambda: S.OneCycle(True, 100), "maximal_learning_rate"),
    (lambda: S.OneCycle.fastai(0.0, 100), "lr_max"),
    (lambda: S.OneCycle.fastai(0.1, 0), "n_iterations"),
    (lambda: S.OneCycle.fastai(0.1, 100, pct_start=1.0), "pct_start"),
    (lambda: S.OneCycle.fastai(0.1, 100, div=0.5), "div"),
    (lambda: S.OneCycle.fastai(0.1, 100, div_final=10.0), "div_final"),
    (lambda: S.Warmup("cosine", 10), "schedule"),
    (lambda: S.Warmup(0.1, 0), "warmup_steps"),
    (lambda: S.Warmup(0.1, 10, initial_learning_rate=-0.1), "initial_learning_rate"),
    (lambda: S.Constant(0.0), "learning_rate"),
    (lambda: S.for_budget("polynomial", 0.1, 100), "family"),
    (lambda: S.evaluate(0.1, -1), "steps"),
])
def test_bad_arguments_raise_value_error_naming_them(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        factory()


@pytest.mark.parametrize("step", [-1, float("nan"), np.array([1, -3]), "ten", True])
def test_bad_steps_raise(step):
    with pytest.raises(ValueError, match="`step`"):
        S.StepDecay(0.1, 0.5, 10)(step)


def test_repr_and_equality():
    a = S.StepDecay(0.1, 0.5, 100)
    assert repr(a) == "StepDecay(initial_learning_rate=0.1, drop_factor=0.5, drop_every=100)"
    assert a == S.StepDecay(0.1, 0.5, 100) and a != S.StepDecay(0.1, 0.5, 101)
    assert "CosineAnnealing(" in repr(S.Warmup(S.CosineAnnealing(0.1, 10), 5))


# -- PlateauScaled: a schedule times a factor that plateau reduction lowers --------------------

def test_plateau_scaled_multiplies_the_schedule_by_its_factor():
    inner = S.CosineAnnealing(0.1, decay_steps=1000)
    schedule = S.PlateauScaled(inner)
    np.testing.assert_allclose(schedule(STEPS), inner(STEPS), rtol=1e-6)
    assert schedule.scale == 1.0
    schedule.set_scale(0.25)
    assert schedule.scale == 0.25
    np.testing.assert_allclose(schedule(STEPS), 0.25 * inner(STEPS), rtol=1e-6, atol=1e-12)
    assert S.PlateauScaled(0.3, scale=0.5)(7) == pytest.approx(0.15)  # a number is constant
    assert S.PlateauScaled(KS.ExponentialDecay(0.1, 10, 0.5))(10) == pytest.approx(0.05)


def test_plateau_scaled_factor_reaches_a_compiled_optimizer_without_recompiling():
    schedule = S.PlateauScaled(S.StepDecay(0.1, 0.5, drop_every=3))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    from lrlib.callbacks import LearningRateLogger

    logger = LearningRateLogger()
    x, y = np.ones((8, 2)), np.ones(8)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[logger])
    first = list(logger.learning_rates)
    schedule.set_scale(0.1)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, callbacks=[logger])
    np.testing.assert_allclose(first, [0.1, 0.1, 0.1, 0.05], rtol=1e-6)
    # Steps 4..7 continue the step decay, now at a tenth.
    np.testing.assert_allclose(logger.learning_rates, [0.005, 0.005, 0.0025, 0.0025], rtol=1e-5)


def test_plateau_scaled_saves_its_current_factor(tmp_path):
    schedule = S.PlateauScaled(S.Warmup(S.CosineAnnealing(0.1, 100), 10))
    schedule.set_scale(0.25)
    config = schedule.get_config()
    assert config["scale"] == 0.25
    clone = S.PlateauScaled.from_config(config)
    assert clone == schedule and hash(clone) == hash(schedule)
    np.testing.assert_allclose(clone(STEPS), schedule(STEPS))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert type(restored) is S.PlateauScaled and restored.scale == 0.25
    assert restored.scale_variable is not schedule.scale_variable  # its own state
    # A model saved mid-training loads with the reduced factor (no custom_objects).
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(np.ones((8, 2)), np.ones(8), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "plateau.keras")
    loaded = keras.models.load_model(tmp_path / "plateau.keras")
    loaded_schedule = loaded.optimizer._learning_rate
    assert isinstance(loaded_schedule, S.PlateauScaled) and loaded_schedule.scale == 0.25
    assert float(loaded.optimizer.learning_rate) == pytest.approx(schedule(2), rel=1e-5)
    assert "scale=0.25" in repr(schedule) and "Warmup(" in repr(schedule)


@pytest.mark.parametrize("factory,argument", [
    (lambda: S.PlateauScaled("cosine"), "schedule"),
    (lambda: S.PlateauScaled(0.1, scale=0.0), "scale"),
    (lambda: S.PlateauScaled(0.1, scale=float("inf")), "scale"),
    (lambda: S.PlateauScaled(0.1).set_scale(-1.0), "scale"),
])
def test_plateau_scaled_bad_arguments(factory, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        factory()


def test_keras_reduce_lr_on_plateau_cannot_change_a_schedule():
    """The reason for PlateauScaled: Keras refuses to set a schedule's learning rate."""
    optimizer = keras.optimizers.SGD(learning_rate=S.CosineAnnealing(0.1, 100))
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.05


def test_cosine_anneal_is_the_one_half_cosine_on_numpy_and_on_tensors():
    fractions = np.linspace(0.0, 1.0, 11)
    on_numpy = S.cosine_anneal(0.3, 0.01, fractions)
    on_tensor = keras.ops.convert_to_numpy(
        S.cosine_anneal(0.3, 0.01, keras.ops.convert_to_tensor(fractions)))
    assert isinstance(on_numpy, np.ndarray) and np.allclose(on_numpy, on_tensor)
    assert on_numpy[0] == pytest.approx(0.3) and on_numpy[-1] == pytest.approx(0.01)
    assert on_numpy[5] == pytest.approx((0.3 + 0.01) / 2)
    # Every cosine schedule is made of it.
    assert np.allclose(S.CosineAnnealing(0.3, 10, 0.01)(np.arange(11)), on_numpy, rtol=1e-12)
