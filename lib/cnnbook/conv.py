"""Numpy reference implementations of 2-D convolution and pooling.

Chapter 1 ("Convolution review") explains every function here; chapter 5
("The gradient of convolution") reuses them for the backward pass.

"Convolution" in deep learning is cross-correlation: the kernel slides over
the input without being flipped. :func:`conv2d` computes exactly what
``tf.nn.conv2d`` and ``keras.layers.Conv2D`` compute (channels-last layout,
TensorFlow's rule for ``"same"`` padding), for one image at a time.
:func:`convolve2d` is the textbook convolution with the kernel rotated by 180
degrees.

Layouts
-------
- image ``x``: ``(H, W)`` or ``(H, W, C_in)`` (rows, columns, channels),
- kernel ``k``: ``(kh, kw)`` or ``(kh, kw, C_in, C_out)`` (as Keras stores it),
- result: ``(H', W')`` for a 2-D kernel, ``(H', W', C_out)`` for a 4-D one.

Accepted data: any real numeric array (bool, integer or float); it is
converted to float64 and every result is float64. Strings, complex numbers
and object arrays are rejected with a ``TypeError``; NaN and infinity are
accepted and propagate as in any arithmetic. Arguments are checked by
:mod:`cnnbook._checks`, so a mistake gets the same error as everywhere in
the book; an image that looks channels-first, ``(3, 28, 28)``, and a kernel
that looks like PyTorch's ``(C_out, C_in, kh, kw)`` are refused with a
``ValueError`` that says how to reorder the axes.

Working memory: the padded input, the im2col matrix and the output are
float64 arrays. Their sizes follow from the shapes alone, so they are
checked before the input is converted or copied: an array larger than
``cnnbook._checks.MEMORY_LIMIT_BYTES`` (2 GiB) makes the functions raise at
once a ``ValueError`` that gives its size: a 10000 x 10000 image with a
3 x 3 kernel would need a 6.7 GiB im2col matrix. These are teaching
implementations; use ``tf.nn.conv2d`` or ``scipy.signal`` for large inputs.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _checks

__all__ = [
    "avg_pool2d",
    "conv2d",
    "conv2d_loop",
    "convolve2d",
    "im2col",
    "max_pool2d",
    "output_size",
    "pad_amounts",
]


# ---------------------------------------------------------------------------
# Input validation (through cnnbook._checks) and working memory
# ---------------------------------------------------------------------------


def _float_array(value, name, ndims, layout):
    """``value`` as a non-empty float64 array (NaN and infinity allowed: they propagate)."""
    return _checks.array(value, name, ndims, layout, finite=False, dtype=np.float64)


def _image(x, name="x"):
    """An image ``(H, W)`` or ``(H, W, C)``, refusing a channels-first ``(C, H, W)``.

    Not converted yet: an ndarray comes back as it is (no copy), so the sizes
    of the working arrays are checked before anything large is allocated;
    :func:`_as_float` converts it afterwards.
    """
    x = _checks.array(x, name, (2, 3), "(H, W) or (H, W, C)", finite=False)
    _checks.channels_last(x, name)
    return x


def _as_float(array, what):
    """``array`` as float64, refusing before the copy an array above the memory limit."""
    if array.dtype != np.float64:
        _check_memory(array.shape, what)
    return array.astype(np.float64, copy=False)


def _check_memory(shape, what):
    """Refuse, before allocating, a float64 array of ``shape`` above the memory limit."""
    _checks.memory(8 * math.prod(shape), f"{what} ({' x '.join(map(str, shape))} float64)")


def _out_size(n, k, stride, dilation):
    """Windows along one axis of length ``n`` (padding included); arguments already validated."""
    return (n - _effective(k, dilation)) // stride + 1


def _effective(k, dilation):
    """Size of a kernel of size ``k`` once ``dilation - 1`` gaps are put between taps."""
    return dilation * (k - 1) + 1


def _pads(n, k, stride, padding, dilation):
    """Padding ``(before, after)`` on one axis; arguments already validated."""
    effective_k = _effective(k, dilation)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return effective_k - 1, effective_k - 1
    if padding == "same":
        out = -(-n // stride)  # ceil(n / stride)
        total = max((out - 1) * stride + effective_k - n, 0)
        return total // 2, total - total // 2
    return padding, padding


def _check_fits(n_padded, effective_k, axis, detail, padding=None):
    """Raise when the (dilated) kernel is larger than the padded input on ``axis``.

    ``padding``, the caller's argument, is named in the message when given.
    """
    if effective_k > n_padded:
        padded = f"{n_padded}" if padding is None else f"{n_padded} (padding={padding!r})"
        raise ValueError(
            f"k is larger than the padded input: the kernel {axis} covers {effective_k} "
            f"pixels ({detail}) but the padded input {axis} is {padded}; use a smaller "
            f"kernel or dilation, more padding, or padding='same' or 'full'"
        )


def _prepare(x, k, stride, padding, dilation, working):
    """Validate conv2d arguments; return the padded 3-D image and the 4-D kernel, as float64.

    Returns ``(x_padded, kernel, (sh, sw), (dh, dw), squeeze)``; ``squeeze`` is
    True when the caller passed a 2-D kernel and expects a 2-D result.
    ``working(out_h, out_w, kernel_shape)`` gives ``(shape, what)`` of the
    caller's largest array. Every size is checked against the memory limit
    from the shapes alone, before the input is converted or padded, so a huge
    input is refused at once.
    """
    x = _image(x)
    k = _checks.array(k, "k", (2, 4), "(kh, kw) or (kh, kw, C_in, C_out)", finite=False)
    stride = _checks.pair(stride, "stride")
    dilation = _checks.pair(dilation, "dilation")
    padding = _checks.padding(padding)

    squeeze = k.ndim == 2
    if squeeze:
        if x.ndim == 3:
            raise ValueError(
                f"k is 2-D {k.shape} but x is 3-D {x.shape}: a multi-channel image needs "
                f"a kernel of shape (kh, kw, C_in, C_out) = "
                f"({k.shape[0]}, {k.shape[1]}, {x.shape[2]}, C_out)"
            )
        k = k[:, :, np.newaxis, np.newaxis]
    if x.ndim == 2:
        x = x[:, :, np.newaxis]
    _checks.kernel_layout(k.shape, x.shape[2], "k")
    if k.shape[2] != x.shape[2]:
        raise ValueError(
            f"k has C_in={k.shape[2]} input channels (shape {k.shape}) but x has "
            f"{x.shape[2]} channel(s) (shape {x.shape}); they must be equal "
            f"(a 2-D x counts as 1 channel)"
        )

    pad_width, padded, out = [], [], []
    for axis, name, n, size, s, d in (
        (0, "height", x.shape[0], k.shape[0], stride[0], dilation[0]),
        (1, "width", x.shape[1], k.shape[1], stride[1], dilation[1]),
    ):
        before, after = _pads(n, size, s, padding, d)
        detail = f"size {size}, dilation {d}"
        _check_fits(n + before + after, _effective(size, d), name, detail, padding)
        pad_width.append((before, after))
        padded.append(n + before + after)
        out.append(_out_size(n + before + after, size, s, d))
    pad_width.append((0, 0))
    padded_shape = (*padded, x.shape[2])
    if padded_shape != x.shape:
        _check_memory(padded_shape, "the padded input")
    _check_memory(*working(*out, k.shape))
    x = _as_float(x, "the input as float64")
    k = _as_float(k, "the kernel as float64")
    if padded_shape != x.shape:
        x = np.pad(x, pad_width)
    return x, k, stride, dilation, squeeze


def _windows(x_padded, kh, kw, stride, dilation):
    """Strided view ``(H', W', kh, kw, C)`` of every kernel window (no copy)."""
    (sh, sw), (dh, dw) = stride, dilation
    view = sliding_window_view(x_padded, (_effective(kh, dh), _effective(kw, dw)), axis=(0, 1))
    # view: (H - ekh + 1, W - ekw + 1, C, ekh, ekw); keep every stride-th window
    # and every dilation-th tap, then put the channel axis last.
    view = view[::sh, ::sw, :, ::dh, ::dw]
    return view.transpose(0, 1, 3, 4, 2)


# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------


def pad_amounts(n, k, stride=1, padding="valid", dilation=1):
    """Zeros added before and after one axis of the input.

    Chapter 1 ("Convolution review") explains padding. ``"same"`` follows
    TensorFlow/Keras exactly: the output has ``ceil(n / stride)`` entries, the
    total padding is ``max((out - 1) * stride + effective_k - n, 0)`` with
    ``effective_k = dilation * (k - 1) + 1``, ``before = total // 2`` and the
    odd extra zero goes after (at the bottom or right).

    Parameters
    ----------
    n : int
        Input size along the axis (rows or columns), >= 1.
    k : int
        Kernel size along the axis, >= 1.
    stride : int, default 1
        Step between windows, >= 1.
    padding : {"valid", "same", "full"} or int, default "valid"
        ``"valid"``: none; ``"full"``: ``effective_k - 1`` on each side; an
        int ``p >= 0``: ``p`` on each side.
    dilation : int, default 1
        Spacing between kernel taps, >= 1.

    Returns
    -------
    (int, int)
        Zeros added before (top/left) and after (bottom/right).

    Raises
    ------
    TypeError
        If an argument has the wrong type (names the argument).
    ValueError
        If an argument is out of range or ``padding`` is an unknown word.

    Examples
    --------
    >>> pad_amounts(5, 3, padding="same")
    (1, 1)
    >>> pad_amounts(5, 2, padding="same")   # the extra zero goes after
    (0, 1)
    >>> pad_amounts(6, 3, stride=2, padding="same")
    (0, 1)
    >>> pad_amounts(5, 3, padding="full")
    (2, 2)
    """
    n = _checks.integer(n, "n", minimum=1)
    k = _checks.integer(k, "k", minimum=1)
    stride = _checks.integer(stride, "stride", minimum=1)
    dilation = _checks.integer(dilation, "dilation", minimum=1)
    padding = _checks.padding(padding)
    return _pads(n, k, stride, padding, dilation)


def output_size(n, k, stride=1, padding=0, dilation=1):
    """Number of outputs of a convolution along one axis.

    Chapter 1 ("Convolution review") derives the formula

    .. math:: o = \\left\\lfloor \\frac{n + 2p - d(k - 1) - 1}{s} \\right\\rfloor + 1

    for symmetric padding ``p``; the padding words use :func:`pad_amounts`
    (``"same"`` gives ``ceil(n / s)``, the TensorFlow rule).

    Parameters
    ----------
    n : int
        Input size (rows or columns), >= 1.
    k : int
        Kernel size, >= 1.
    stride : int, default 1
        Step between windows, >= 1.
    padding : int or {"valid", "same", "full"}, default 0
        Zeros on each side, or a padding word.
    dilation : int, default 1
        Spacing between kernel taps, >= 1.

    Returns
    -------
    int
        The output size, >= 1.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range, ``padding`` is an unknown word, or the
        dilated kernel is larger than the padded input (message names ``k``).

    Examples
    --------
    >>> output_size(7, 3)                           # no padding, stride 1
    5
    >>> output_size(5, 4, padding=2)                # zero padding
    6
    >>> output_size(5, 3, stride=2, padding=1)      # padding and stride
    3
    >>> output_size(7, 3, dilation=2)               # dilated kernel covers 5
    3
    >>> output_size(28, 5, stride=2, padding="same")
    14
    """
    n = _checks.integer(n, "n", minimum=1)
    k = _checks.integer(k, "k", minimum=1)
    stride = _checks.integer(stride, "stride", minimum=1)
    dilation = _checks.integer(dilation, "dilation", minimum=1)
    padding = _checks.padding(padding)
    before, after = _pads(n, k, stride, padding, dilation)
    effective_k = _effective(k, dilation)
    _check_fits(n + before + after, effective_k, "size", f"size {k}, dilation {dilation}", padding)
    return (n + before + after - effective_k) // stride + 1


# ---------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------


def im2col(x, kh, kw, stride=1, dilation=1):
    """Unroll every kernel window of an (already padded) image into a row.

    Chapter 1 ("Convolution review") uses it to show that a convolution layer
    is one matrix product: ``im2col(x_padded, kh, kw) @ k.reshape(-1, C_out)``
    reshaped to ``(H', W', C_out)`` equals ``conv2d``; :func:`conv2d` uses the
    same machinery. Chapter 5 reuses it for the gradients.

    Row order: output positions in row-major order, row ``r * W' + c`` holds
    the window whose top-left corner is input pixel
    ``(r * stride_rows, c * stride_cols)``.
    Column order: kernel row ``i``, then kernel column ``j``, then channel
    ``ch``; column ``(i * kw + j) * C + ch`` holds
    ``x[r * stride_rows + i * dilation_rows, c * stride_cols + j * dilation_cols, ch]``.
    This is the order of ``k.reshape(kh * kw * C, C_out)`` for a Keras-layout
    kernel ``(kh, kw, C, C_out)``.

    Parameters
    ----------
    x : array_like, shape (H, W, C) or (H, W)
        The image, with any padding already added (a 2-D image is one channel).
    kh, kw : int
        Kernel height and width, >= 1.
    stride : int or (int, int), default 1
        Step between windows (rows, cols), >= 1.
    dilation : int or (int, int), default 1
        Spacing between kernel taps (rows, cols), >= 1.

    Returns
    -------
    numpy.ndarray of float64, shape (H' * W', kh * kw * C)
        ``H' = (H - dilation_rows * (kh - 1) - 1) // stride_rows + 1``, same for ``W'``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or an argument has the wrong type.
    ValueError
        If ``x`` is empty or has the wrong number of dims, an argument is
        out of range, or the dilated kernel is larger than ``x``.

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> print(im2col(x, 2, 2))
    [[0. 1. 3. 4.]
     [1. 2. 4. 5.]
     [3. 4. 6. 7.]
     [4. 5. 7. 8.]]
    """
    x = _image(x)
    if x.ndim == 2:
        x = x[:, :, np.newaxis]
    kh = _checks.integer(kh, "kh", minimum=1)
    kw = _checks.integer(kw, "kw", minimum=1)
    stride = _checks.pair(stride, "stride")
    dilation = _checks.pair(dilation, "dilation")
    _check_fits(x.shape[0], _effective(kh, dilation[0]), "height", f"kh {kh}, dilation {dilation[0]}")
    _check_fits(x.shape[1], _effective(kw, dilation[1]), "width", f"kw {kw}, dilation {dilation[1]}")
    out_h = _out_size(x.shape[0], kh, stride[0], dilation[0])
    out_w = _out_size(x.shape[1], kw, stride[1], dilation[1])
    _check_memory((out_h * out_w, kh * kw * x.shape[2]), "the im2col matrix")
    windows = _windows(_as_float(x, "the input as float64"), kh, kw, stride, dilation)
    return windows.reshape(out_h * out_w, kh * kw * x.shape[2])


def _conv2d_working(out_h, out_w, kernel_shape):
    """The largest array of :func:`conv2d`: its im2col matrix."""
    kh, kw, c_in, _ = kernel_shape
    return (out_h * out_w, kh * kw * c_in), "the im2col matrix of conv2d"


def conv2d(x, k, stride=1, padding="valid", dilation=1):
    """2-D convolution as deep-learning libraries define it (cross-correlation).

    Chapter 1 ("Convolution review") explains it; chapter 5 ("The gradient of
    convolution") builds the backward pass from it. For every output position
    ``(r, c)`` and output channel ``o``::

        out[r, c, o] = sum over i, j, ch of
                       x_padded[r * s_r + i * d_r, c * s_c + j * d_c, ch] * k[i, j, ch, o]

    The kernel is not flipped (see :func:`convolve2d` for that). The result
    equals ``tf.nn.conv2d`` (NHWC) for one image, including TensorFlow's
    ``"same"`` rule with strides (:func:`pad_amounts`). Computed as one matrix
    product of :func:`im2col` windows with the reshaped kernel.

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C_in)
        The image; bool, integer or float, converted to float64.
    k : array_like, shape (kh, kw) or (kh, kw, C_in, C_out)
        The kernel in Keras layout. A 2-D kernel needs a 2-D ``x``; a 2-D ``x``
        also accepts a 4-D kernel with ``C_in == 1``.
    stride : int or (int, int), default 1
        Step between windows (rows, cols), >= 1.
    padding : {"valid", "same", "full"} or int, default "valid"
        ``"valid"``: no padding; ``"same"``: TensorFlow's rule, output
        ``ceil(n / stride)``; ``"full"``: ``dilation * (k - 1)`` zeros on each
        side; an int ``p >= 0``: ``p`` zeros on each side. Words are
        case-insensitive.
    dilation : int or (int, int), default 1
        Spacing between kernel taps (rows, cols), >= 1.

    Returns
    -------
    numpy.ndarray of float64
        ``(H', W')`` for a 2-D kernel, ``(H', W', C_out)`` for a 4-D kernel;
        ``H'`` and ``W'`` as given by :func:`output_size`.

    Raises
    ------
    TypeError
        If ``x`` or ``k`` is not real numeric data, or ``stride``,
        ``padding`` or ``dilation`` has the wrong type.
    ValueError
        If ``x`` or ``k`` is empty or has the wrong number of dims, the
        channels do not match, ``stride``/``dilation`` is < 1, ``padding`` is
        negative or an unknown word, the dilated kernel is larger than the
        padded input, ``x`` looks channels-first or ``k`` looks like a
        PyTorch ``(C_out, C_in, kh, kw)`` kernel, or the working memory would
        exceed ``cnnbook._checks.MEMORY_LIMIT_BYTES`` (see the module notes).

    Examples
    --------
    The diagonal detector from the 6x6 example image:

    >>> image = np.array([[1, 0, 0, 0, 0, 1],
    ...                   [0, 1, 0, 0, 1, 0],
    ...                   [0, 0, 1, 1, 0, 0],
    ...                   [1, 0, 0, 0, 1, 0],
    ...                   [0, 1, 0, 0, 1, 0],
    ...                   [0, 0, 1, 0, 1, 0]])
    >>> kernel = np.array([[1, -1, -1],
    ...                    [-1, 1, -1],
    ...                    [-1, -1, 1]])
    >>> print(conv2d(image, kernel))
    [[ 3. -1. -3. -1.]
     [-3.  1.  0. -3.]
     [-3. -3.  0.  1.]
     [ 3. -2. -2. -1.]]
    >>> print(conv2d(image, kernel, stride=2))
    [[ 3. -3.]
     [-3.  0.]]
    >>> conv2d(image, kernel, padding="same").shape
    (6, 6)
    >>> conv2d(np.ones((28, 28, 3)), np.ones((5, 5, 3, 8)), stride=2, padding="same").shape
    (14, 14, 8)
    """
    x_padded, kernel, stride, dilation, squeeze = _prepare(x, k, stride, padding, dilation, _conv2d_working)
    kh, kw, c_in, c_out = kernel.shape
    windows = _windows(x_padded, kh, kw, stride, dilation)
    out_h, out_w = windows.shape[:2]
    # One matrix product: (H'W', kh*kw*C_in) @ (kh*kw*C_in, C_out).
    columns = windows.reshape(out_h * out_w, kh * kw * c_in)
    out = (columns @ kernel.reshape(kh * kw * c_in, c_out)).reshape(out_h, out_w, c_out)
    return out[:, :, 0] if squeeze else out


def _conv2d_loop_working(out_h, out_w, kernel_shape):
    """The largest array of :func:`conv2d_loop`: its output."""
    return (out_h, out_w, kernel_shape[3]), "the output of conv2d_loop"


def conv2d_loop(x, k, stride=1, padding="valid", dilation=1):
    """The same convolution as :func:`conv2d`, written as plain Python loops.

    Chapter 1 ("Convolution review") uses it to read the formula off the code
    and to time it against the vectorised :func:`conv2d` (chapter 5 checks its
    gradients against it). One Python iteration per output value: for each
    output row, output column and output channel, take the (dilated) window
    of the padded input, multiply it by that channel's kernel element by
    element and add everything up. Arguments, validation and results are those
    of :func:`conv2d` (it is slow: use it on small inputs).

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C_in)
        The image.
    k : array_like, shape (kh, kw) or (kh, kw, C_in, C_out)
        The kernel in Keras layout.
    stride : int or (int, int), default 1
        Step between windows (rows, cols), >= 1.
    padding : {"valid", "same", "full"} or int, default "valid"
        As in :func:`conv2d`.
    dilation : int or (int, int), default 1
        Spacing between kernel taps (rows, cols), >= 1.

    Returns
    -------
    numpy.ndarray of float64
        ``(H', W')`` or ``(H', W', C_out)``, equal to ``conv2d(...)`` up to
        float rounding.

    Raises
    ------
    TypeError, ValueError
        Exactly as :func:`conv2d`.

    Examples
    --------
    >>> x = np.arange(16).reshape(4, 4)
    >>> k = np.array([[1, 0], [0, -1]])
    >>> print(conv2d_loop(x, k))
    [[-5. -5. -5.]
     [-5. -5. -5.]
     [-5. -5. -5.]]
    >>> np.allclose(conv2d_loop(x, k, stride=2, padding="same"), conv2d(x, k, stride=2, padding="same"))
    True
    """
    x_padded, kernel, (s_rows, s_cols), (d_rows, d_cols), squeeze = _prepare(
        x, k, stride, padding, dilation, _conv2d_loop_working
    )
    kh, kw, c_in, c_out = kernel.shape
    # How far the (dilated) kernel reaches from its top-left tap.
    reach_rows = d_rows * (kh - 1) + 1
    reach_cols = d_cols * (kw - 1) + 1
    out_h = (x_padded.shape[0] - reach_rows) // s_rows + 1
    out_w = (x_padded.shape[1] - reach_cols) // s_cols + 1

    out = np.zeros((out_h, out_w, c_out))
    for r in range(out_h):
        for c in range(out_w):
            # Top-left input pixel of this output's window.
            top = r * s_rows
            left = c * s_cols
            # The kh x kw x C_in input values this output sees (every d-th pixel).
            window = x_padded[top : top + reach_rows : d_rows, left : left + reach_cols : d_cols, :]
            for o in range(c_out):
                # Multiply element by element with filter o and add up.
                out[r, c, o] = np.sum(window * kernel[:, :, :, o])
    return out[:, :, 0] if squeeze else out


def convolve2d(x, k, stride=1, padding="valid", dilation=1):
    """True (mathematical) convolution: :func:`conv2d` with the kernel rotated 180 degrees.

    Chapter 1 ("Convolution review") contrasts it with cross-correlation;
    chapter 5 meets the rotated kernel again in the input gradient. Only the
    two spatial axes of ``k`` are flipped, so for ``"valid"`` and ``"full"``
    on 2-D inputs the result equals ``scipy.signal.convolve2d``. Arguments,
    validation and results are those of :func:`conv2d`.

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C_in)
        The image.
    k : array_like, shape (kh, kw) or (kh, kw, C_in, C_out)
        The kernel; it is flipped up-down and left-right before sliding.
    stride, padding, dilation
        As in :func:`conv2d`.

    Returns
    -------
    numpy.ndarray of float64
        ``conv2d(x, k[::-1, ::-1], stride, padding, dilation)``.

    Raises
    ------
    TypeError, ValueError
        Exactly as :func:`conv2d`.

    Examples
    --------
    >>> x = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    >>> k = np.array([[1, 2], [3, 4]])
    >>> print(conv2d(x, k))        # correlation: the kernel appears rotated
    [[4. 3.]
     [2. 1.]]
    >>> print(convolve2d(x, k))    # convolution: the kernel appears upright
    [[1. 2.]
     [3. 4.]]
    """
    kernel = _float_array(k, "k", (2, 4), "(kh, kw) or (kh, kw, C_in, C_out)")
    return conv2d(x, kernel[::-1, ::-1], stride=stride, padding=padding, dilation=dilation)


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------


def _pool_windows(x, size, stride):
    """Validate pooling arguments; return the windows ``(H', W', [C,] ph, pw)``."""
    x = _as_float(_image(x), "the input as float64")
    size = _checks.pair(size, "size")
    stride = size if stride is None else _checks.pair(stride, "stride")
    for axis, n, window in (("height", x.shape[0], size[0]), ("width", x.shape[1], size[1])):
        if window > n:
            raise ValueError(
                f"size {window} is larger than the input {axis} {n}; pooling uses no "
                f"padding, so size must be <= the input size"
            )
    windows = sliding_window_view(x, size, axis=(0, 1))
    return windows[:: stride[0], :: stride[1]]


def max_pool2d(x, size=2, stride=None):
    """Max pooling without padding ("valid"), one image at a time.

    Chapter 1 ("Convolution review") and chapter 3 ("Anatomy of a CNN")
    explain pooling; chapter 5 derives its gradient. Each output is the
    largest value of a ``size`` window; windows start every ``stride`` pixels
    and are pooled per channel. Equals ``tf.nn.max_pool2d(..., padding="VALID")``.

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C)
        The feature map(s).
    size : int or (int, int), default 2
        Window (rows, cols), >= 1 and <= the input size.
    stride : int or (int, int), optional
        Step between windows, >= 1; defaults to ``size`` (non-overlapping).

    Returns
    -------
    numpy.ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H - size_rows) // stride_rows + 1``, same for ``W'``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``size``/``stride`` are not ints.
    ValueError
        If ``x`` is empty or has the wrong number of dims, ``size``/``stride``
        is < 1, or the window is larger than the input.

    Examples
    --------
    >>> x = np.array([[1, 1, 2, 4],
    ...               [5, 6, 7, 8],
    ...               [3, 2, 1, 0],
    ...               [1, 2, 3, 4]])
    >>> print(max_pool2d(x))
    [[6. 8.]
     [3. 4.]]
    >>> max_pool2d(np.zeros((28, 28, 8)), size=3, stride=2).shape
    (13, 13, 8)
    """
    return _pool_windows(x, size, stride).max(axis=(-2, -1))


def avg_pool2d(x, size=2, stride=None):
    """Average pooling without padding ("valid"), one image at a time.

    Chapter 1 ("Convolution review") explains pooling; chapter 5 derives its
    gradient. Each output is the mean of a ``size`` window; windows start
    every ``stride`` pixels and are pooled per channel. Equals
    ``tf.nn.avg_pool2d(..., padding="VALID")``.

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C)
        The feature map(s).
    size : int or (int, int), default 2
        Window (rows, cols), >= 1 and <= the input size.
    stride : int or (int, int), optional
        Step between windows, >= 1; defaults to ``size`` (non-overlapping).

    Returns
    -------
    numpy.ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = (H - size_rows) // stride_rows + 1``, same for ``W'``.

    Raises
    ------
    TypeError
        If ``x`` is not real numeric data or ``size``/``stride`` are not ints.
    ValueError
        If ``x`` is empty or has the wrong number of dims, ``size``/``stride``
        is < 1, or the window is larger than the input.

    Examples
    --------
    >>> x = np.array([[1, 1, 2, 4],
    ...               [5, 6, 7, 8],
    ...               [3, 2, 1, 0],
    ...               [1, 2, 3, 4]])
    >>> print(avg_pool2d(x))
    [[3.25 5.25]
     [2.   2.  ]]
    """
    return _pool_windows(x, size, stride).mean(axis=(-2, -1))
