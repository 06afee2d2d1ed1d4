"""Shared pytest set-up for the library tests and the doctests of lib/cnnbook."""
import os

# Before any test module imports TensorFlow: keep its C++ start-up logs
# (oneDNN notices, CPU features, "failed call to cuInit") out of the output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _doctest_numpy(doctest_namespace):
    """Docstring examples may use ``np`` without importing it, as the chapters do."""
    doctest_namespace["np"] = np
