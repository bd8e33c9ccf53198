"""lrlib.course.data: offline, deterministic, well-formed."""

import numpy as np
import pytest

from lrlib.course.data import (load_digits, load_mnist1d, load_task, make_two_moons,
                               steps_per_epoch)


def test_digits_split_scaled_and_deterministic():
    a, b = load_digits(), load_digits()
    assert a.x_train.shape == (1347, 64) and a.x_test.shape == (450, 64)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int32
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_allclose(a.x_train.mean(axis=0), 0.0, atol=1e-5)
    assert set(np.unique(a.y_test)) == set(range(10))  # stratified: every class in the test set
    assert not np.array_equal(load_digits(seed=1).y_train, a.y_train)


def test_two_moons():
    data = make_two_moons(num_examples=200, seed=0)
    assert data.x_train.shape == (150, 2) and data.num_classes == 2
    np.testing.assert_array_equal(data.x_test, make_two_moons(num_examples=200, seed=0).x_test)


def test_steps_per_epoch_rounds_up():
    assert steps_per_epoch(1347, 32) == 43 and steps_per_epoch(64, 32) == 2


@pytest.mark.parametrize("call,argument", [
    (lambda: load_digits(test_fraction=1.0), "test_fraction"),
    (lambda: load_digits(seed=-1), "seed"),
    (lambda: load_digits(validation_fraction=1.0), "validation_fraction"),
    (lambda: load_mnist1d(split_seed=-1), "split_seed"),
    (lambda: make_two_moons(noise=-0.1), "noise"),
    (lambda: steps_per_epoch(100, 0), "batch_size"),
])
def test_bad_arguments(call, argument):
    with pytest.raises(ValueError, match=f"`{argument}`"):
        call()


def test_digits_validation_is_carved_from_training_and_leaves_test_alone():
    plain, split = load_digits(), load_digits(validation_fraction=0.25)
    assert plain.x_val is None and not plain.has_validation
    assert (len(split.x_train), len(split.x_val), len(split.x_test)) == (1010, 337, 450)
    assert split.x_val.dtype == np.float32 and split.y_val.dtype == np.int32
    # The same 450 test images in the same order: the labels match, and each pixel column is
    # the same raw column scaled with another training mean and deviation (correlation 1).
    np.testing.assert_array_equal(split.y_test, plain.y_test)
    for j in range(64):
        a, b = plain.x_test[:, j], split.x_test[:, j]
        if a.std() > 0 and b.std() > 0:
            assert np.corrcoef(a, b)[0, 1] == pytest.approx(1.0, abs=1e-5)
    assert set(np.unique(split.y_val)) == set(range(10))  # stratified
    np.testing.assert_array_equal(split.x_val, load_digits(validation_fraction=0.25).x_val)
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0.0, atol=1e-5)
    assert split.split("validation")[0] is split.x_val
    with pytest.raises(ValueError, match="`split`"):
        plain.split("validation")


def test_load_task_is_cached_and_the_chapters_default_is_unchanged():
    assert load_task("digits") is load_task("digits")
    np.testing.assert_array_equal(load_task("digits").x_train, load_digits().x_train)
    assert load_task("digits", True).has_validation
    with pytest.raises(ValueError, match="`task`"):
        load_task("cifar")


def _forbid_network(monkeypatch):
    import socket
    import urllib.request

    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)


def test_mnist1d_is_generated_offline_deterministically_with_three_splits(monkeypatch, tmp_path):
    from lrlib.course import data as module

    _forbid_network(monkeypatch)
    monkeypatch.chdir(tmp_path)  # mnist1d's get_dataset would write ./mnist1d_data.pkl here
    module._mnist1d_arrays.cache_clear()
    state = np.random.get_state()[1].copy()
    a = load_mnist1d()
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # global RNG untouched
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert (len(a.x_train), len(a.x_val), len(a.x_test)) == (3000, 1000, 1000)
    assert a.num_features == 40 and a.num_classes == 10
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int32
    assert set(np.unique(a.y_val)) == set(range(10))
    # Deterministic: generated again from scratch, the same numbers.
    module._mnist1d_arrays.cache_clear()
    b = load_mnist1d()
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    # The package's own split: 4,000 train (our train + validation) and the last 1,000 test.
    whole = load_mnist1d(validation_fraction=None)
    assert (len(whole.x_train), len(whole.x_test)) == (4000, 1000)
    np.testing.assert_array_equal(whole.x_test, a.x_test)
    assert sorted(map(tuple, whole.x_train)) == sorted(map(tuple, np.concatenate(
        [a.x_train, a.x_val])))
    assert not np.array_equal(load_mnist1d(seed=1).x_test, a.x_test)
