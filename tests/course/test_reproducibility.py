"""lrlib.course.reproducibility: the quiet environment and seeding."""

import os
import subprocess
import sys

import numpy as np
import pytest

from lrlib.course.reproducibility import QUIET_ENVIRONMENT, seed_everything


def test_import_sets_the_quiet_environment():
    for key in QUIET_ENVIRONMENT:
        assert key in os.environ


def test_importing_lrlib_then_tensorflow_prints_nothing():
    code = "import lrlib.course.training; lrlib.course.training.train(0.1, epochs=1)"
    env = {k: v for k, v in os.environ.items() if k not in QUIET_ENVIRONMENT}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_seed_everything_seeds_numpy():
    seed_everything(7)
    a = np.random.rand(3)
    seed_everything(7)
    np.testing.assert_array_equal(a, np.random.rand(3))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="`seed`"):
        seed_everything(seed)
