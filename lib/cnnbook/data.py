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
