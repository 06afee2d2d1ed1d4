"""Where are we running? Colab detection, device report, seeding, the GPU requirement.

Set the environment variable ``CNNBOOK_REQUIRE_GPU=1`` to make ``import cnnbook``
(the first cell of every chapter after the Colab set-up cell) fail unless
TensorFlow sees a GPU: the GPU workflow sets it, so a runner whose TensorFlow
lacks CUDA fails at once instead of silently running every chapter on the CPU.
"""

import json
import os
import platform
import random
import sys

from . import _checks

__all__ = ["device_report", "seed_everything", "benchmark_reference"]

REQUIRE_GPU_VARIABLE = "CNNBOOK_REQUIRE_GPU"


def _in_colab():
    """True inside Google Colab (its kernel imports ``google.colab``)."""
    return "google.colab" in sys.modules


def _require_gpu_if_asked():
    """Raise RuntimeError if ``CNNBOOK_REQUIRE_GPU`` is set (not "" or "0") and TensorFlow sees no GPU.

    TensorFlow is imported only when the variable is set.
    """
    if os.environ.get(REQUIRE_GPU_VARIABLE, "") in ("", "0"):
        return
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return
    cuda = "built with CUDA" if tf.test.is_built_with_cuda() else "a CPU-only build"
    raise RuntimeError(
        f"{REQUIRE_GPU_VARIABLE}={os.environ[REQUIRE_GPU_VARIABLE]} is set, but TensorFlow {tf.__version__} "
        f"({cuda}) sees no GPU: install tensorflow[and-cuda]=={tf.__version__} and check `nvidia-smi`, "
        f"or unset {REQUIRE_GPU_VARIABLE} to run on the CPU."
    )


def device_report():
    """One line saying where the notebook runs: CPU/GPU, TF and Keras versions.

    Examples
    --------
    On the machine that executed the chapters, for example
    ``CPU (2 cores) | TensorFlow 2.20.0 | Keras 3.15.1 | Python 3.11.7 | local``
    (the first cell of every chapter prints it); in general:

    >>> device_report()
    '... | TensorFlow ... | Keras ... | Python ... | ...'
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
    where = "Colab" if _in_colab() else "local"
    return (
        f"{device} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"Python {platform.python_version()} | {where}"
    )


def seed_everything(seed=0):
    """Seed Python, numpy and TensorFlow/Keras with one call, and make TensorFlow's ops deterministic.

    Runs are then repeatable on a given machine, on a GPU too: TensorFlow's
    op determinism is switched on (for the rest of the process), so GPU kernels
    that would add in a varying order use deterministic ones. CPU results can
    still differ between machines and from GPU results in the last digits.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Returns
    -------
    int
        The seed.

    Raises
    ------
    TypeError
        If ``seed`` is not an int.
    ValueError
        If ``seed`` is negative.

    Examples
    --------
    >>> import numpy as np
    >>> seed_everything(3)
    3
    >>> first = np.random.rand()
    >>> _ = seed_everything(3)
    >>> np.random.rand() == first
    True
    """
    seed = _checks.integer(seed, "seed", minimum=0)
    import keras
    import numpy as np
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds TensorFlow's global generator
    tf.config.experimental.enable_op_determinism()
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
