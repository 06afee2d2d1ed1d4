"""Offline data for the book: the bundled MNIST sample, 8x8 digits, photos.

Nothing here downloads anything unless asked for explicitly
(``load_mnist(full=True)``). The MNIST sample ships inside the installed
package (``cnnbook.bundled``, the repository's ``data/`` folder), so it loads
the same way from a clone, an editable install and a Colab install.
"""
import hashlib
import json
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = [
    "DataIntegrityError",
    "PHOTOS",
    "load_mnist_sample",
    "load_mnist",
    "load_digits_8x8",
    "load_photo",
    "to_model_input",
]

#: Sample photos that scikit-image ships inside its wheel (no download).
PHOTOS = ("camera", "coffee", "astronaut", "chelsea", "rocket", "coins")

_MNIST_FILE = "mnist_sample.npz"


class DataIntegrityError(ValueError):
    """A bundled data file is missing or does not match its recorded checksum."""


def _bundled(name):
    return resources.files("cnnbook.bundled") / name


def _verified_bytes(name):
    """Read a bundled file and check it against data/checksums.json."""
    try:
        expected = json.loads(_bundled("checksums.json").read_text())[name]
        payload = _bundled(name).read_bytes()
    except (FileNotFoundError, KeyError) as exc:
        raise DataIntegrityError(
            f"bundled data file {name!r} or its checksum entry is missing from the "
            "cnnbook package; reinstall cnnbook or regenerate it with "
            "`python data/make_mnist_sample.py`"
        ) from exc
    actual = hashlib.sha256(payload).hexdigest()
    if actual != expected:
        raise DataIntegrityError(
            f"bundled data file {name!r} is corrupted: sha256 {actual} does not match "
            f"the recorded {expected}; reinstall cnnbook or regenerate it with "
            "`python data/make_mnist_sample.py`"
        )
    return payload


@lru_cache(maxsize=1)
def _mnist_arrays():
    import io

    with np.load(io.BytesIO(_verified_bytes(_MNIST_FILE))) as archive:
        arrays = {key: archive[key] for key in archive.files}
    for value in arrays.values():
        value.setflags(write=False)
    return arrays


def load_mnist_sample():
    """The bundled MNIST sample: 5,000 real digits with a fixed split.

    4,000 training and 1,000 test digits, 400 and 100 of every class, split
    once with a fixed seed by ``data/make_mnist_sample.py``. Every chapter
    that trains on MNIST uses this same split (chapters 2, 3, 6-8, 10).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are uint8 arrays of shape ``(N, 28, 28)`` with values 0-255;
        ``y_*`` are int64 labels 0-9. The arrays are fresh copies.

    Raises
    ------
    DataIntegrityError
        If the bundled file is missing or fails its sha256 check.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist_sample()
    >>> x_train.shape, x_test.shape
    ((4000, 28, 28), (1000, 28, 28))
    """
    arrays = _mnist_arrays()
    return (
        (arrays["x_train"].copy(), arrays["y_train"].astype(np.int64)),
        (arrays["x_test"].copy(), arrays["y_test"].astype(np.int64)),
    )


def load_mnist(full=False):
    """MNIST: the bundled sample, or the full 70,000 digits when online.

    Parameters
    ----------
    full : bool
        False (default) returns :func:`load_mnist_sample`. True calls
        ``keras.datasets.mnist.load_data()``, which downloads 11 MB once and
        caches it in ``~/.keras/datasets`` (chapter 6's optional section).

    Raises
    ------
    RuntimeError
        If ``full=True`` and the download fails (no internet), with a message
        pointing to the bundled sample.
    """
    if not isinstance(full, bool):
        raise TypeError(f"full must be True or False, got {full!r}")
    if not full:
        return load_mnist_sample()
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # urllib, socket and SSL errors all end here
        raise RuntimeError(
            "could not download the full MNIST data set (no internet access?). "
            "Use the bundled 5,000-digit sample instead: "
            "cnnbook.data.load_mnist_sample() (or load_mnist(full=False))."
        ) from exc
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def load_digits_8x8():
    """scikit-learn's 1,797 handwritten 8x8 digits (values 0-16).

    Small enough for pure-numpy training (chapter 5).

    Returns
    -------
    images : ndarray, shape (1797, 8, 8), float64
    labels : ndarray, shape (1797,), int64
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images.astype(np.float64), digits.target.astype(np.int64)


def load_photo(name, gray=False):
    """A sample photo shipped inside scikit-image, as floats in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PHOTOS`.
    gray : bool
        Convert colour photos to one luminance channel.

    Returns
    -------
    ndarray, float32
        ``(H, W)`` for grey images, ``(H, W, 3)`` for colour ones.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`PHOTOS`.
    """
    if name not in PHOTOS:
        raise ValueError(f"name must be one of {', '.join(PHOTOS)}; got {name!r}")
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float32

    image = img_as_float32(getattr(skimage.data, name)())
    if gray and image.ndim == 3:
        image = rgb2gray(image).astype(np.float32)
    return image


def to_model_input(images):
    """uint8 digits ``(N, 28, 28)`` -> float32 ``(N, 28, 28, 1)`` in [0, 1].

    Keras layers are channels-last: one trailing channel axis for grey images.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, rows, cols); got shape {images.shape}")
    if not np.issubdtype(images.dtype, np.number):
        raise TypeError(f"images must be numeric, got dtype {images.dtype}")
    scale = 255.0 if images.dtype == np.uint8 or images.max(initial=0) > 1 else 1.0
    return (images.astype(np.float32) / scale)[..., np.newaxis]


# ---------------------------------------------------------------------------
# Synthetic data for the 1-D and 3-D examples of chapter 9 (moved from architectures)
# ---------------------------------------------------------------------------

def _signal_shapes(width=9):
    """The two short shapes of :func:`pattern_signals`: a wiggle and a bump (chapter 9).

    The pattern is one period of a sine under a Hann window (up, then
    down); the decoy is a Hann bump (up only). Both have unit energy, so
    neither can be told apart by how much signal there is, only by shape.

    Parameters
    ----------
    width : int, default 9
        Samples of each shape, >= 3.

    Returns
    -------
    pattern, decoy : numpy.ndarray
        float64, shape ``(width,)``.
    """
    from . import _checks

    width = _checks.integer(width, "width", minimum=3)
    t = np.linspace(0.0, 1.0, width + 2)[1:-1]
    window = np.sin(np.pi * t) ** 2
    pattern = np.sin(2 * np.pi * t) * window
    decoy = window.copy()
    return pattern / np.linalg.norm(pattern), decoy / np.linalg.norm(decoy)


def pattern_signals(count, length=128, noise=0.3, amplitude=2.0, width=9, seed=0):
    """Noisy 1-D signals that hide either the pattern or the decoy somewhere (chapter 9).

    Each signal is Gaussian noise plus ``amplitude`` times one of the two
    shapes of ``_signal_shapes`` at a random position: label 1 for the
    pattern, 0 for the decoy, half of each (in random order).

    Parameters
    ----------
    count : int
        Number of signals, >= 2.
    length : int, default 128
        Samples per signal, at least ``width``.
    noise : float, default 0.3
        Standard deviation of the noise, in [0, 10].
    amplitude : float, default 2.0
        In (0, 100].
    width : int, default 9
    seed : int, default 0

    Returns
    -------
    signals : numpy.ndarray
        float32, ``(count, length, 1)`` (channels last, for ``Conv1D``).
    labels : numpy.ndarray
        int64, ``(count,)``.
    starts : numpy.ndarray
        int64, ``(count,)``: where each shape begins.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> signals, labels, starts = pattern_signals(4, length=32)
    >>> signals.shape, labels.tolist().count(1)
    ((4, 32, 1), 2)
    """
    from . import _checks

    count = _checks.integer(count, "count", minimum=2)
    width = _checks.integer(width, "width", minimum=3)
    length = _checks.integer(length, "length", minimum=width)
    noise = _checks.number(noise, "noise", minimum=0.0, maximum=10.0)
    amplitude = _checks.number(amplitude, "amplitude", maximum=100.0, positive=True)
    seed = _checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    pattern, decoy = _signal_shapes(width)
    labels = rng.permutation(np.arange(count) % 2).astype(np.int64)
    starts = rng.integers(0, length - width + 1, size=count).astype(np.int64)
    signals = noise * rng.standard_normal((count, length))
    for signal, label, start in zip(signals, labels, starts):
        signal[start:start + width] += amplitude * (pattern if label else decoy)
    return signals[..., np.newaxis].astype(np.float32), labels, starts


def ball_volume(size=16, centre=(5, 9, 10), radius=3.0, noise=0.5, seed=0):
    """A noisy 3-D volume with one bright ball in it (chapter 9).

    Voxels within ``radius`` of ``centre`` are 1, the rest 0, plus Gaussian
    noise: a stand-in for a tomography scan with one lesion.

    Parameters
    ----------
    size : int, default 16
        The volume is ``size`` voxels along each axis, >= 3.
    centre : tuple of 3 ints, default (5, 9, 10)
        (depth, row, column) of the ball's centre, inside the volume.
    radius : float, default 3.0
        In (0, size].
    noise : float, default 0.5
        Standard deviation of the noise, in [0, 10].
    seed : int, default 0

    Returns
    -------
    volume : numpy.ndarray
        float32, ``(size, size, size)``.
    ball : numpy.ndarray
        bool, ``(size, size, size)``: the voxels of the ball.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> volume, ball = ball_volume(size=8, centre=(4, 4, 4), radius=1.0, noise=0.0)
    >>> int(ball.sum()), float(volume.max())
    (7, 1.0)
    """
    from . import _checks

    size = _checks.integer(size, "size", minimum=3)
    centre = _checks.shape(centre, "centre", 3, "(depth, row, column)", minimum=0)
    if max(centre) >= size:
        raise ValueError(f"centre must lie inside the volume (each index < size={size}); got {centre!r}")
    radius = _checks.number(radius, "radius", maximum=float(size), positive=True)
    noise = _checks.number(noise, "noise", minimum=0.0, maximum=10.0)
    seed = _checks.integer(seed, "seed", minimum=0)
    grid = np.indices((size, size, size))
    distance = np.sqrt(sum((axis - c) ** 2 for axis, c in zip(grid, centre)))
    ball = distance <= radius
    rng = np.random.default_rng(seed)
    volume = ball.astype(np.float64) + noise * rng.standard_normal((size, size, size))
    return volume.astype(np.float32), ball


__all__ += ["pattern_signals", "ball_volume"]
