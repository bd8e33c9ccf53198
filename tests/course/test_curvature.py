"""lrlib.course.curvature: sharpness against an exactly known Hessian."""

import keras
import numpy as np
import pytest

from lrlib.course.curvature import hessian_vector_product, sharpness


def linear_model(d):
    model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.zeros((d, 1), "float32")])
    return model


def test_sharpness_of_least_squares_is_the_top_eigenvalue_of_two_xtx_over_n():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 5)).astype("float32")
    y = rng.normal(size=(50, 1)).astype("float32")
    hessian = 2 * x.T @ x / len(x)
    expected = np.linalg.eigvalsh(hessian)[-1]
    assert sharpness(linear_model(5), x, y, loss="mse", iterations=200, tolerance=1e-7) == \
        pytest.approx(expected, rel=1e-3)


def test_hessian_vector_product_matches_the_matrix():
    x = np.array([[1.0, 2.0], [3.0, -1.0]], "float32")
    y = np.zeros((2, 1), "float32")
    model = linear_model(2)
    v = np.array([[0.5], [-1.0]], "float32")
    hv = hessian_vector_product(model, x, y, [v], loss=keras.losses.get("mse"))[0]
    np.testing.assert_allclose(np.asarray(hv), (2 * x.T @ x / 2) @ v, rtol=1e-5)


def test_bad_arguments():
    model = linear_model(2)
    x, y = np.ones((2, 2), "float32"), np.ones((2, 1), "float32")
    with pytest.raises(ValueError, match="`loss`"):
        sharpness(model, x, y)
    with pytest.raises(ValueError, match="`iterations`"):
        sharpness(model, x, y, loss="mse", iterations=0)
