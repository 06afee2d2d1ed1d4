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

    ``positive=True`` requires ``value > 0`` (a learning rate, a scale); it
    combines with ``maximum``.

    >>> number(0.01, "learning_rate", positive=True)
    0.01
    >>> number(float("nan"), "learning_rate", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0; got nan
    >>> number("0.1", "learning_rate", positive=True)
    Traceback (most recent call last):
    ...
    TypeError: learning_rate must be a finite number > 0; got '0.1' of type str
    >>> number(200, "amplitude", maximum=100, positive=True)
    Traceback (most recent call last):
    ...
    ValueError: amplitude must be a finite number > 0 and <= 100; got 200.0
    """
    if positive:
        kind = "a finite number > 0" + (f" and <= {maximum}" if maximum is not None else "")
    else:
        kind = _bounds_text(minimum, maximum, "a finite number")
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {kind}; got {_describe(value)}")
    value = float(value)
    if (
        not math.isfinite(value)
        or (positive and value <= 0)
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        raise ValueError(f"{name} must be {kind}; got {value!r}")
    return value


def boolean(value, name):
    """Return ``value`` if it is ``True`` or ``False`` (numpy bools too), or raise TypeError.

    >>> boolean(np.True_, "bias")
    True
    >>> boolean(1, "bias")
    Traceback (most recent call last):
    ...
    TypeError: bias must be True or False; got 1 of type int
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {_describe(value)}")
    return bool(value)


def text(value, name, optional=False):
    """Return ``value`` if it is a non-empty ``str`` (or None when ``optional``), or raise.

    >>> text("conv1", "name")
    'conv1'
    >>> text("", "name")
    Traceback (most recent call last):
    ...
    ValueError: name must be a non-empty str; got ''
    """
    allowed = "a non-empty str or None" if optional else "a non-empty str"
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if not value:
        raise ValueError(f"{name} must be {allowed}; got ''")
    return value


def file_name(value, name, suffix):
    """Return ``value`` if it is a file name (no folder) ending in ``suffix``, or raise.

    >>> file_name("small_cnn-e3.keras", "name", ".keras")
    'small_cnn-e3.keras'
    >>> file_name("models/small_cnn.keras", "name", ".keras")
    Traceback (most recent call last):
    ...
    ValueError: name must be a file name ending in .keras, without a folder; got 'models/small_cnn.keras'
    """
    value = text(value, name)
    if pathlib.PurePath(value).name != value or "/" in value or "\\" in value or not value.endswith(suffix):
        raise ValueError(f"{name} must be a file name ending in {suffix}, without a folder; got {value!r}")
    return value


def pair(value, name, minimum=1):
    """Return ``value`` as ``(rows, cols)`` of ints >= ``minimum``; one int means both.

    Tuples, lists and 1-D numpy arrays of two integers are accepted alike;
    ``minimum=None`` allows any int (a shift).

    >>> pair(3, "kernel"), pair(np.array([3, 5]), "kernel")
    ((3, 3), (3, 5))
    """
    return sizes(value, name, 2, minimum, "a pair (rows, cols) of")


def sizes(value, name, count, minimum=1, what=None):
    """Return ``value`` as a tuple of ``count`` ints >= ``minimum``; one int means all of them.

    >>> sizes(3, "kernel", 3)
    (3, 3, 3)
    >>> sizes((3, 3), "kernel", 3)
    Traceback (most recent call last):
    ...
    ValueError: kernel must be an int >= 1 or a tuple of 3 ints >= 1; got (3, 3) with 2 values
    """
    bound = "" if minimum is None else f" >= {minimum}"
    allowed = f"an int{bound} or {what or f'a tuple of {count}'} ints{bound}"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    if isinstance(value, (tuple, list)) and len(items) != count:
        raise ValueError(f"{name} must be {allowed}; got {value!r} with {len(items)} values")
    for item in items:
        if not is_int(item):
            raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
        if minimum is not None and item < minimum:
            raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return tuple(int(item) for item in items) if len(items) == count else (int(items[0]),) * count


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


def function(value, name, what="a callable"):
    """Return ``value`` if it can be called, or raise TypeError.

    >>> function(print, "log") is print
    True
    >>> function("print", "log", "a callable taking one str, e.g. print")
    Traceback (most recent call last):
    ...
    TypeError: log must be a callable taking one str, e.g. print; got 'print' of type str
    """
    if not callable(value):
        raise TypeError(f"{name} must be {what}; got {_describe(value)}")
    return value


def padding(value, name="padding", words=("valid", "same", "full"), allow_int=True):
    """Return a padding word (lower case) or, with ``allow_int``, an int >= 0.

    >>> padding("Same"), padding(2)
    ('same', 2)
    >>> padding(-1)
    Traceback (most recent call last):
    ...
    ValueError: padding must be 'valid', 'same', 'full' or an int >= 0; got -1
    >>> padding("same", words=("valid", "full"), allow_int=False)
    Traceback (most recent call last):
    ...
    ValueError: padding must be 'valid' or 'full'; got 'same'
    """
    quoted = [repr(word) for word in words]
    allowed = (
        ", ".join(quoted) + " or an int >= 0"
        if allow_int
        else (", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0])
    )
    if isinstance(value, str):
        if value.lower() not in words:
            raise ValueError(f"{name} must be {allowed}; got {value!r}")
        return value.lower()
    if not allow_int or not is_int(value):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if value < 0:
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return int(value)


def shape(value, name, lengths, layout=None, minimum=1):
    """Return ``value`` as a tuple of ints >= ``minimum`` whose length is one of ``lengths``.

    >>> shape(np.array([3, 3, 1, 8]), "kernel_shape", (2, 4))
    (3, 3, 1, 8)
    >>> shape((28, 28), "input_shape", (3,), "(rows, cols, channels)")
    Traceback (most recent call last):
    ...
    ValueError: input_shape must be (rows, cols, channels) of ints >= 1; got (28, 28) with 2 values
    """
    lengths = (lengths,) if is_int(lengths) else tuple(lengths)
    allowed = (layout or "a tuple of " + " or ".join(str(n) for n in lengths) + " ints") + (
        f" of ints >= {minimum}" if layout else f" >= {minimum}"
    )
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if len(value) not in lengths:
        raise ValueError(f"{name} must be {allowed}; got {tuple(value)!r} with {len(value)} values")
    for item in value:
        if not is_int(item):
            raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
        if item < minimum:
            raise ValueError(f"{name} must be {allowed}; got {tuple(value)!r}")
    return tuple(int(item) for item in value)


def same_shape(value, expected, name, what):
    """Raise ValueError unless array ``value`` has shape ``expected`` (``what`` says why).

    >>> same_shape(np.zeros((2, 2)), (3, 3), "dout", "the forward output (H', W')")
    Traceback (most recent call last):
    ...
    ValueError: dout must have the shape of the forward output (H', W') (3, 3); got (2, 2)
    """
    if np.shape(value) != tuple(expected):
        raise ValueError(f"{name} must have the shape of {what} {tuple(expected)}; got {np.shape(value)}")


_KINDS = {
    "b": "bools",
    "biuf": "real numbers (bool, int or float)",
    "iu": "integers",
    "biu": "integers or bools",
    "iuf": "real numbers (int or float)",
    "f": "floats",
}


def array(value, name, ndim, layout, kinds="biuf", finite=True, dtype=None):
    """Return ``value`` as a non-empty numpy array whose ``ndim`` is allowed.

    Parameters
    ----------
    value : array_like
    name : str
        The argument's name, used in messages.
    ndim : int, tuple of int or None
        The allowed numbers of dimensions (None: any).
    layout : str
        What the dimensions mean, e.g. ``"(H, W) or (H, W, C)"``.
    kinds : str
        Allowed numpy dtype kinds: b bool, i int, u unsigned, f float.
    finite : bool
        Refuse NaN and infinities.
    dtype : numpy dtype, optional
        Convert the result to it (no copy when it already has it).

    >>> array([[1, 2], [3, 4]], "x", 2, "(H, W)").shape
    (2, 2)
    >>> array([1, 2], "x", 2, "(H, W)")
    Traceback (most recent call last):
    ...
    ValueError: x must be (H, W); got 1 dims with shape (2,)
    """
    ndims = None if ndim is None else (ndim,) if is_int(ndim) else tuple(ndim)
    try:
        result = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be a rectangular numeric array {layout}; got a ragged or unconvertible {type(value).__name__}"
        ) from None
    if result.dtype.kind not in kinds:
        raise TypeError(
            f"{name} must hold {_KINDS.get(kinds, 'numbers of dtype kind ' + kinds)}; got dtype {result.dtype}"
        )
    if ndims is not None and result.ndim not in ndims:
        raise ValueError(f"{name} must be {layout}; got {result.ndim} dims with shape {result.shape}")
    if result.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {result.shape}")
    if finite and result.dtype.kind == "f" and not np.isfinite(result).all():
        raise ValueError(f"{name} must hold finite numbers; got NaN or infinity")
    return result if dtype is None else result.astype(dtype, copy=False)


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
    TypeError: y must hold integers; got dtype float64
    """
    y = array(y, y_name, 1, "(N,): one integer class label per example", kinds="iu")
    x = array(x, x_name, range(1, 33), "(N, ...): one row per example")
    if len(x) != len(y):
        raise ValueError(
            f"{x_name} and {y_name} must hold the same number of examples; "
            f"got {len(x)} in {x_name} and {len(y)} in {y_name}"
        )
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
# A channels-first array has both spatial sizes at least this large; below it a
# (H, W, C) feature map with few rows (3 x 3 x 8 after pooling) is normal.
_MIN_SPATIAL = 8


def channels_last(image, name):
    """Raise if an image ``(H, W, C)`` or a batch ``(N, H, W, C)`` looks channels-first.

    Keras, scikit-image and this book store images as ``(H, W, C)``. A 3-D
    array whose first axis is 1, 3 or 4 while the other two are both 8 or
    more (and the last is not 1, 3 or 4) is almost surely PyTorch's
    ``(C, H, W)``: read channels-last it would be an image of 1-4 rows with
    as many channels as columns. The same rule applies to axis 1 of a 4-D batch.
    Small feature maps such as ``(3, 3, 8)`` pass.

    >>> channels_last(np.zeros((3, 3, 8)), "x")
    >>> channels_last(np.zeros((3, 28, 28)), "image")
    Traceback (most recent call last):
    ...
    ValueError: image looks channels-first: shape (3, 28, 28); this book stores images as (H, W, C): use np.moveaxis(image, 0, -1)
    """
    shape = tuple(np.shape(image))
    if len(shape) not in (3, 4):
        return
    axis = len(shape) - 3
    channels, rows, cols = shape[axis:]
    if channels in _CHANNEL_COUNTS and cols not in _CHANNEL_COUNTS and min(rows, cols) >= _MIN_SPATIAL:
        layout = "(H, W, C)" if axis == 0 else "(N, H, W, C)"
        raise ValueError(
            f"{name} looks channels-first: shape {shape}; this book stores "
            f"images as {layout}: use np.moveaxis({name}, {axis}, -1)"
        )


def kernel_layout(kernel_shape, channels, name):
    """Raise if a 4-D kernel looks like PyTorch's ``(C_out, C_in, kh, kw)``.

    This book (and Keras) stores kernels as ``(kh, kw, C_in, C_out)``. A
    PyTorch kernel fits that reading by chance when ``kh`` equals the image's
    channels, e.g. ``(64, 3, 3, 3)`` on an RGB image: it would be read as a
    64 x 3 kernel with 3 outputs. The check fires when the PyTorch reading
    gives a square kernel of size 2 to 7 whose ``C_in`` (axis 1) equals
    ``channels`` and whose ``C_out`` (axis 0) is 8 or more and differs from
    ``C_in``: read the Keras way that is a kernel at least 8 rows tall and
    at most 7 wide, which nobody draws. Smaller shapes are ambiguous and pass.

    >>> kernel_layout((3, 3, 3, 64), 3, "k")
    >>> kernel_layout((64, 3, 3, 3), 3, "k")
    Traceback (most recent call last):
    ...
    ValueError: k looks like PyTorch's (C_out, C_in, kh, kw) layout: shape (64, 3, 3, 3); this book stores kernels as (kh, kw, C_in, C_out): use np.transpose(k, (2, 3, 1, 0))
    """
    shape = tuple(kernel_shape)
    if len(shape) != 4:
        return
    c_out, c_in, kh, kw = shape
    if c_out != c_in and c_out >= _MIN_SPATIAL and 2 <= kh == kw < _MIN_SPATIAL and c_in == channels:
        raise ValueError(
            f"{name} looks like PyTorch's (C_out, C_in, kh, kw) layout: shape {shape}; "
            f"this book stores kernels as (kh, kw, C_in, C_out): "
            f"use np.transpose({name}, (2, 3, 1, 0))"
        )


def float_image(value, name, ndim=(2, 3), layout="(H, W) or (H, W, C)", channels=True):
    """Return an image as float64 in [0, 1], by the book's one image convention.

    Integer images are read as 0-255 and divided by 255; bool images become
    0 and 1; float images must already lie in [0, 1]. With ``channels`` a
    3-D array is an ``(H, W, C)`` image and is checked by
    :func:`channels_last`; pass ``channels=False`` for a stack ``(N, H, W)``
    of grey images.

    >>> float_image(np.array([[0, 255]], dtype=np.uint8), "image")
    array([[0., 1.]])
    >>> float_image(np.array([[0.0, 200.0]]), "image")
    Traceback (most recent call last):
    ...
    ValueError: image is a float image with values up to 200 (allowed: [0, 1]): it looks like a 0-255 image: divide it by 255 or pass it as uint8
    """
    result = array(value, name, ndim, layout)
    if channels:
        channels_last(result, name)
    kind = result.dtype.kind
    if kind == "b":
        return result.astype(np.float64)
    if kind in "iu":
        low, high = result.min(), result.max()
        if low < 0 or high > 255:
            raise ValueError(f"{name} is an integer image with values from {low} to {high} (allowed: 0 to 255)")
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
        raise ValueError(
            f"{what} would need {n_bytes / 1024**3:.1f} GiB of working memory; the limit "
            f"is {MEMORY_LIMIT_BYTES / 1024**3:.1f} GiB (cnnbook._checks.MEMORY_LIMIT_BYTES): "
            f"use a smaller input"
        )


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
        raise ValueError(
            f"{name} {str(directory)!r} is not a writable directory: {error.strerror}; choose another directory"
        ) from None
    return directory


def interval(value, name):
    """Return ``value`` as ``(low, high)``: two finite numbers with ``low < high``.

    >>> interval((0, 255), "value_range")
    (0.0, 255.0)
    >>> interval((1, 0), "value_range")
    Traceback (most recent call last):
    ...
    ValueError: value_range must be a pair (low, high) of finite numbers with low < high; got (1, 0)
    """
    allowed = "a pair (low, high) of finite numbers with low < high"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    if len(value) != 2:
        raise ValueError(f"{name} must be {allowed}; got {value!r} with {len(value)} values")
    for item in value:
        if not isinstance(item, numbers.Real) or isinstance(item, (bool, np.bool_)):
            raise TypeError(f"{name} must be {allowed}; got {_describe(value)}")
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return low, high


def labels(value, name, classes, length=None):
    """Return class labels as a 1-D int64 array of integers from 0 to ``classes - 1``.

    ``length`` (the number of examples) must match when given. Checked before
    training, so that a bad label is not found deep inside a TensorFlow graph.

    >>> labels([0, 9, 3], "y", classes=10)
    array([0, 9, 3])
    >>> labels([0, 10], "y", classes=10)
    Traceback (most recent call last):
    ...
    ValueError: y must hold class labels from 0 to 9; got values from 0 to 10
    """
    result = array(value, name, 1, "a 1-D array of class labels (N,)", kinds="iuf")
    if result.dtype.kind == "f":
        if not np.all(result == np.round(result)):
            raise TypeError(f"{name} must hold integer class labels; got fractional values of dtype {result.dtype}")
    low, high = result.min(), result.max()
    if low < 0 or high > classes - 1:
        raise ValueError(f"{name} must hold class labels from 0 to {classes - 1}; got values from {low:g} to {high:g}")
    if length is not None and len(result) != length:
        raise ValueError(f"{name} must hold one label per example: {length} labels; got {len(result)}")
    return result.astype(np.int64, copy=False)


def labelled_data(value, name, classes):
    """Return ``(x, y)`` checked: a pair of arrays, one integer label 0..classes-1 per example.

    >>> x, y = labelled_data((np.zeros((2, 4)), [1, 2]), "validation_data", classes=10)
    >>> labelled_data((np.zeros((2, 4)), [1]), "validation_data", classes=10)
    Traceback (most recent call last):
    ...
    ValueError: validation_data[1] must hold one label per example: 2 labels; got 1
    """
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (x, y) of inputs and labels; got {_describe(value)}")
    x = np.asarray(value[0])
    if x.ndim < 1 or x.dtype.kind not in "biuf" or len(x) == 0:
        raise ValueError(
            f"{name}[0] must be a non-empty numeric array of inputs (N, ...); got dtype {x.dtype} and shape {x.shape}"
        )
    return x, labels(value[1], f"{name}[1]", classes, length=len(x))


def training_data(x, y, validation_data=None, classes=10):
    """Check what a training run gets, before it starts; return ``x, y, validation_data``.

    Labels must be integers from 0 to ``classes - 1``, one per input;
    ``validation_data`` must be a pair ``(x_val, y_val)`` checked the same way,
    with inputs shaped like ``x``'s.

    >>> training_data(np.zeros((2, 28, 28, 1)), [3, 12])
    Traceback (most recent call last):
    ...
    ValueError: y must hold class labels from 0 to 9; got values from 3 to 12
    """
    classes = integer(classes, "classes", minimum=1)
    x = np.asarray(x)
    if x.ndim < 1 or x.dtype.kind not in "biuf" or len(x) == 0:
        raise ValueError(
            f"x must be a non-empty numeric array of inputs (N, ...); got dtype {x.dtype} and shape {x.shape}"
        )
    y = labels(y, "y", classes, length=len(x))
    if validation_data is not None:
        x_val, y_val = labelled_data(validation_data, "validation_data", classes)
        if x_val.shape[1:] != x.shape[1:]:
            raise ValueError(
                f"validation_data[0] must hold inputs shaped like x's, (N, "
                f"{', '.join(map(str, x.shape[1:]))}); got shape {x_val.shape}"
            )
        validation_data = (x_val, y_val)
    return x, y, validation_data
