"""One home for argument checks: every public function of cnnbook validates here.

The same mistake gets the same error everywhere:

- a value of the wrong *type* raises ``TypeError`` (the string ``'5'`` where a
  number is expected, a float where an int is expected, ``True`` for a count);
- a value of the right type but not *allowed* raises ``ValueError`` (0 for a
  stride, NaN for a learning rate, a channels-first image, an unknown word).

Each message names the argument, what was given and what is allowed.

Images follow one convention across the library: integer (and bool) images
hold 0-255 (0-1 for bool) and are scaled to floats in [0, 1]; float images
must already be in [0, 1]. A float image with values above 1 looks like an
unscaled 0-255 image and is refused rather than silently clipped or whitened.
"""
import math
import numbers
import os
import pathlib
import tempfile

import numpy as np

# Largest working array a numpy routine of the book may allocate, in bytes.
# A 2-core, 24 GiB teaching machine (and a Colab CPU runtime with 12 GiB) stays
# responsive well below this; larger requests are refused before allocation.
MEMORY_LIMIT_BYTES = 2 * 1024**3


def is_int(value):
    """True for Python and numpy integers; False for bool and everything else.

    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _describe(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} of type {type(value).__name__}"


def _bounds_text(minimum, maximum, kind):
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{kind} >= {minimum}"
    if maximum is not None:
        return f"{kind} <= {maximum}"
    return kind


def integer(value, name, minimum=None, maximum=None):
    """Return ``value`` as an ``int`` within ``[minimum, maximum]``, or raise.

    >>> integer(np.int32(3), "stride", minimum=1)
    3
    >>> integer(0, "stride", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: stride must be an int >= 1; got 0
    >>> integer("5", "stride", minimum=1)
    Traceback (most recent call last):
    ...
    TypeError: stride must be an int >= 1; got '5' of type str
    """
    allowed = _bounds_text(minimum, maximum, "an int")
    if not is_int(value):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return int(value)


def number(value, name, minimum=None, maximum=None, positive=False):
    """Return ``value`` as a finite ``float`` within the bounds, or raise.

    ``positive=True`` requires ``value > 0`` (a learning rate, a scale).

    >>> number(0.01, "learning_rate", positive=True)
    0.01
    >>> number(float("nan"), "learning_rate", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0; got nan
    """
    kind = "a finite number > 0" if positive else _bounds_text(minimum, maximum, "a finite number")
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {kind}; got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0):
        raise ValueError(f"{name} must be {kind}; got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {kind}; got {value!r}")
    return value


def pair(value, name, minimum=1):
    """Return ``value`` as ``(rows, cols)`` of ints >= ``minimum``; one int means both.

    Tuples, lists and 1-D numpy arrays of two integers are accepted alike.

    >>> pair(3, "kernel"), pair(np.array([3, 5]), "kernel")
    ((3, 3), (3, 5))
    """
    allowed = f"an int >= {minimum} or a pair (rows, cols) of ints >= {minimum}"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be {allowed}; got {value!r} with {len(value)} values")
        items = []
        for item in value:
            if not is_int(item):
                raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
            if item < minimum:
                raise ValueError(f"{name} must be {allowed}; got {value!r}")
            items.append(int(item))
        return tuple(items)
    if not is_int(value):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return int(value), int(value)


def choice(value, name, allowed):
    """Return ``value`` if it is one of ``allowed`` (strings compared case-insensitively).

    >>> choice("Same", "padding", ("valid", "same", "full"))
    'same'
    """
    shown = ", ".join(repr(option) for option in allowed)
    if isinstance(value, str):
        lowered = value.lower()
        for option in allowed:
            if isinstance(option, str) and option.lower() == lowered:
                return option
        raise ValueError(f"{name} must be one of {shown}; got {value!r}")
    if value in allowed and not isinstance(value, (bool, np.bool_)):
        return value
    if any(isinstance(option, str) for option in allowed) and not any(
        type(option) is type(value) for option in allowed
    ):
        raise TypeError(f"{name} must be one of {shown}; got {_describe(value)}")
    raise ValueError(f"{name} must be one of {shown}; got {value!r}")


def array(value, name, ndim, layout, kinds="biuf", finite=True):
    """Return ``value`` as a non-empty numpy array whose ``ndim`` is allowed.

    Parameters
    ----------
    value : array_like
    name : str
        The argument's name, used in messages.
    ndim : int or tuple of int
        The allowed numbers of dimensions.
    layout : str
        What the dimensions mean, e.g. ``"(H, W) or (H, W, C)"``.
    kinds : str
        Allowed numpy dtype kinds: b bool, i int, u unsigned, f float.
    finite : bool
        Refuse NaN and infinities.

    >>> array([[1, 2], [3, 4]], "x", 2, "(H, W)").shape
    (2, 2)
    >>> array([1, 2], "x", 2, "(H, W)")
    Traceback (most recent call last):
    ...
    ValueError: x must be (H, W); got 1 dims with shape (2,)
    """
    ndims = (ndim,) if is_int(ndim) else tuple(ndim)
    try:
        result = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a rectangular numeric array {layout}; got a ragged "
                         f"or unconvertible {type(value).__name__}") from None
    if result.dtype.kind not in kinds:
        names = {"b": "bool", "i": "int", "u": "unsigned int", "f": "float"}
        allowed = ", ".join(names[k] for k in kinds if k in names)
        raise TypeError(f"{name} must have dtype {allowed}; got dtype {result.dtype}")
    if result.ndim not in ndims:
        raise ValueError(f"{name} must be {layout}; got {result.ndim} dims with shape {result.shape}")
    if result.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {result.shape}")
    if finite and result.dtype.kind == "f" and not np.isfinite(result).all():
        raise ValueError(f"{name} must hold finite numbers; got NaN or infinity")
    return result


def labelled(x, y, x_name="x", y_name="y"):
    """Return ``(x, y)`` as arrays: examples and one integer class label per example.

    >>> x, y = labelled(np.zeros((3, 2)), [0, 1, 1])
    >>> labelled(np.zeros((3, 2)), [0, 1])
    Traceback (most recent call last):
    ...
    ValueError: x and y must hold the same number of examples; got 3 in x and 2 in y
    >>> labelled(np.zeros((2, 2)), [0.0, 1.0])
    Traceback (most recent call last):
    ...
    TypeError: y must have dtype int, unsigned int; got dtype float64
    """
    y = array(y, y_name, 1, "(N,): one integer class label per example", kinds="iu")
    x = array(x, x_name, range(1, 33), "(N, ...): one row per example")
    if len(x) != len(y):
        raise ValueError(f"{x_name} and {y_name} must hold the same number of examples; "
                         f"got {len(x)} in {x_name} and {len(y)} in {y_name}")
    if y.min() < 0:
        raise ValueError(f"{y_name} must hold class labels >= 0; got {y.min()}")
    return x, y


def keras_model(value, name, sequential=False):
    """Return the one input tensor of a Keras model, or raise.

    ``sequential=True`` requires a ``keras.Sequential`` (a plain chain of
    layers); otherwise any ``keras.Model`` with one input is accepted.

    >>> keras_model("model", "pretrained")
    Traceback (most recent call last):
    ...
    TypeError: pretrained must be a keras.Model; got 'model' of type str
    """
    import keras

    kind = keras.Sequential if sequential else keras.Model
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a keras.{kind.__name__}; got {_describe(value)}")
    if len(value.inputs) != 1:
        raise ValueError(f"{name} must have one input; got {len(value.inputs)}")
    return value.inputs[0]


_CHANNEL_COUNTS = (1, 3, 4)


def channels_last(image, name):
    """Raise if a 3-D ``image`` looks channels-first, ``(C, H, W)``.

    Keras, scikit-image and this book store images as ``(H, W, C)``. An array
    whose first axis is 1, 3 or 4 while its last is larger than 4 is almost
    surely PyTorch's ``(C, H, W)``.

    >>> channels_last(np.zeros((3, 28, 28)), "image")
    Traceback (most recent call last):
    ...
    ValueError: image looks channels-first: shape (3, 28, 28); this book stores images as (H, W, C): use np.moveaxis(image, 0, -1)
    """
    shape = np.shape(image)
    if len(shape) == 3 and shape[0] in _CHANNEL_COUNTS and shape[-1] not in _CHANNEL_COUNTS:
        raise ValueError(f"{name} looks channels-first: shape {tuple(shape)}; this book stores "
                         f"images as (H, W, C): use np.moveaxis({name}, 0, -1)")


def float_image(value, name, ndim=(2, 3), layout="(H, W) or (H, W, C)"):
    """Return an image as float64 in [0, 1], by the book's one image convention.

    Integer images are read as 0-255 and divided by 255; bool images become
    0 and 1; float images must already lie in [0, 1].

    >>> float_image(np.array([[0, 255]], dtype=np.uint8), "image")
    array([[0., 1.]])
    >>> float_image(np.array([[0.0, 200.0]]), "image")
    Traceback (most recent call last):
    ...
    ValueError: image is a float image with values up to 200 (allowed: [0, 1]): it looks like a 0-255 image: divide it by 255 or pass it as uint8
    """
    result = array(value, name, ndim, layout)
    channels_last(result, name)
    kind = result.dtype.kind
    if kind == "b":
        return result.astype(np.float64)
    if kind in "iu":
        low, high = result.min(), result.max()
        if low < 0 or high > 255:
            raise ValueError(f"{name} is an integer image with values from {low} to {high} "
                             f"(allowed: 0 to 255)")
        return result.astype(np.float64) / 255.0
    low, high = float(result.min()), float(result.max())
    if high > 1:
        hint = ": it looks like a 0-255 image: divide it by 255 or pass it as uint8" if low >= 0 and high <= 255 else ""
        raise ValueError(f"{name} is a float image with values up to {high:g} (allowed: [0, 1]){hint}")
    if low < 0:
        raise ValueError(f"{name} is a float image with values down to {low:g} (allowed: [0, 1])")
    return result.astype(np.float64, copy=False)


def memory(n_bytes, what):
    """Raise before allocating more than :data:`MEMORY_LIMIT_BYTES` for ``what``.

    >>> memory(3 * 1024**3, "the im2col matrix (10000 x 10000 x 9 float64)")
    Traceback (most recent call last):
    ...
    ValueError: the im2col matrix (10000 x 10000 x 9 float64) would need 3.0 GiB of working memory; the limit is 2.0 GiB (cnnbook._checks.MEMORY_LIMIT_BYTES): use a smaller input
    """
    if n_bytes > MEMORY_LIMIT_BYTES:
        raise ValueError(f"{what} would need {n_bytes / 1024**3:.1f} GiB of working memory; the limit "
                         f"is {MEMORY_LIMIT_BYTES / 1024**3:.1f} GiB (cnnbook._checks.MEMORY_LIMIT_BYTES): "
                         f"use a smaller input")


def writable_directory(path, name):
    """Return ``path`` as a Path to a directory that exists (made if needed) and is writable.

    Called before long work (training) whose result is to be saved there.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike); got {_describe(path)}")
    directory = pathlib.Path(path).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise ValueError(f"{name} {str(directory)!r} is not a writable directory: {error.strerror}; "
                         f"choose another directory") from None
    return directory
