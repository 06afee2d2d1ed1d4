"""Shared pytest set-up of the tests in tests/."""

import os
import sys

import pytest

# Before any test module imports TensorFlow: keep its C++ start-up logs
# (oneDNN notices, CPU features, "failed call to cuInit") out of the output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Figures render off-screen, and every test's figures are closed after it.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
