"""Shared pytest set-up of the tests in tests/."""

import os

# Before any test module imports TensorFlow: keep its C++ start-up logs
# (oneDNN notices, CPU features, "failed call to cuInit") out of the output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
