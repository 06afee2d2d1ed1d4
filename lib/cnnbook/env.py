"""Where are we running? Colab and GPU detection, device report, seeding."""
import json
import os
import platform
import random
import sys

__all__ = ["in_colab", "gpu_available", "device_report", "seed_everything", "benchmark_reference"]


def in_colab():
    """True inside Google Colab (its kernel imports ``google.colab``)."""
    return "google.colab" in sys.modules


def gpu_available():
    """True if TensorFlow sees at least one GPU."""
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def device_report():
    """One line saying where the notebook runs: CPU/GPU, TF and Keras versions.

    Examples
    --------
    >>> device_report()  # doctest: +SKIP
    'CPU (2 cores) | TensorFlow 2.20.0 | Keras 3.15.1 | Python 3.11.7 | local'
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        device = "GPU: " + ", ".join(names)
    else:
        device = f"CPU ({os.cpu_count()} cores)"
    where = "Colab" if in_colab() else "local"
    return (
        f"{device} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"Python {platform.python_version()} | {where}"
    )


def seed_everything(seed=0):
    """Seed Python, numpy and TensorFlow/Keras with one call.

    Runs are then repeatable on a given machine (CPU results can still
    differ between machines and from GPU results in the last digits).

    Parameters
    ----------
    seed : int
        A non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import keras
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds TensorFlow's global generator
    return seed


def benchmark_reference():
    """The book's speed measurements on its reference machine, or None.

    ``make bench-reference`` runs the benchmark (tools/bench.py) and stores its
    results in ``data/bench_reference.json``, shipped with the package, so
    chapter 1 and the teaching page quote measured figures, not typed ones.

    Returns
    -------
    dict or None
        The benchmark's ``results.json`` content; None if it was never recorded.
    """
    from importlib import resources

    try:
        text = (resources.files("cnnbook.bundled") / "bench_reference.json").read_text()
    except FileNotFoundError:
        return None
    return json.loads(text)
