"""Backward passes of convolution, pooling and ReLU, and a gradient checker.

Chapter 5 ("The gradient of convolution") derives everything here. The
backward pass of a convolution layer is two more convolutions, both computed
with :func:`cnnbook.conv.conv2d`:

- the filter update ``dL/dK`` is the correlation of the (padded) input with
  ``dL/dO`` (:func:`conv2d_grad_kernel`, written as the same im2col matrix
  product that :func:`cnnbook.conv.conv2d` uses);
- the new sensitivity ``dL/dX`` is the full correlation of ``dL/dO`` with the
  kernel rotated by 180 degrees, then cropped to undo the padding
  (:func:`conv2d_grad_input`).

With a stride ``s > 1`` both use ``dL/dO`` with ``s - 1`` zeros inserted
between its entries (:func:`insert_zeros`).

Layouts follow :func:`cnnbook.conv.conv2d` (channels last), plus an optional
batch axis:

- image ``x``: ``(H, W)``, ``(H, W, C_in)`` or a batch ``(N, H, W, C_in)``,
- kernel ``k``: ``(kh, kw)`` or ``(kh, kw, C_in, C_out)``,
- upstream gradient ``dout``: the shape of the forward output, ``(H', W')``,
  ``(H', W', C_out)`` or ``(N, H', W', C_out)``.

A batch ``x`` needs a 4-D kernel; the kernel gradient of a batch is summed
over the batch (the gradient of a loss summed over the images).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _checks
from .conv import conv2d, im2col, output_size, pad_amounts

__all__ = [
    "avg_pool2d_backward",
    "check_gradient",
    "conv2d_backward",
    "conv2d_grad_input",
    "conv2d_grad_kernel",
    "insert_zeros",
    "max_pool2d_backward",
    "pool_argmax",
    "relu_backward",
    "symbol_grid",
    "symbolic_conv2d",
    "tf_conv2d_backward",
]

_LAYOUTS = {
    2: "(H, W)",
    3: "(H, W, C)",
    4: "(N, H, W, C)",
}


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _array(value, name, ndims=None):
    """``value`` as a non-empty float64 array whose ndim is in ``ndims`` (None: any).

    An image-like array (``x``, ``dout``) is also refused when it looks
    channels-first; kernels go through :func:`_kernel`.
    """
    layout = "an array" if ndims is None else " or ".join(_LAYOUTS[n] for n in ndims)
    result = _checks.array(value, name, ndims, layout, finite=False, dtype=np.float64)
    if ndims is not None:
        _checks.channels_last(result, name)
    return result


def _kernel(value):
    """The kernel ``k`` as a float64 array ``(kh, kw)`` or ``(kh, kw, C_in, C_out)``."""
    return _checks.array(value, "k", (2, 4), "(kh, kw) or (kh, kw, C_in, C_out)", finite=False, dtype=np.float64)


def _batch(x):
    """View a 2-, 3- or 4-D image array as ``(N, H, W, C)``."""
    if x.ndim == 2:
        return x[np.newaxis, :, :, np.newaxis]
    if x.ndim == 3:
        return x[np.newaxis]
    return x


def _geometry(input_hw, kernel_hw, stride, padding):
    """Pads and output size per axis: ``((before, after), out)`` for rows and cols.

    Raises the errors of :func:`cnnbook.conv.pad_amounts` /
    :func:`cnnbook.conv.output_size` (kernel larger than the padded input, bad
    padding word, ...), which name the argument.
    """
    geometry = []
    for n, size, s in zip(input_hw, kernel_hw, stride):
        pads = pad_amounts(n, size, stride=s, padding=padding)
        out = output_size(n, size, stride=s, padding=padding)
        geometry.append((pads, out))
    return geometry


def _conv_arguments(x_shape, k_shape, dout, stride, padding):
    """Validate a convolution's shapes; return everything the two gradients need.

    ``x_shape`` is the input's shape (2-, 3- or 4-D) and ``k_shape`` the
    kernel's (2- or 4-D). Returns ``(batch_dout, stride, ((pt, pb), (pl, pr)),
    out_hw, batched, squeeze)``.
    """
    stride = _checks.pair(stride, "stride")
    padding = _checks.padding(padding)
    squeeze = len(k_shape) == 2
    batched = len(x_shape) == 4
    if squeeze and len(x_shape) != 2:
        raise ValueError(
            f"k is 2-D {tuple(k_shape)} but x has shape {tuple(x_shape)}: a multi-channel or "
            f"batched x needs a kernel of shape (kh, kw, C_in, C_out)"
        )
    c_in = 1 if len(x_shape) == 2 else x_shape[-1]
    _checks.kernel_layout(k_shape, c_in, "k")
    k_c_in = 1 if squeeze else k_shape[2]
    if k_c_in != c_in:
        raise ValueError(
            f"k has C_in={k_c_in} input channels (shape {tuple(k_shape)}) but x has {c_in} "
            f"(shape {tuple(x_shape)}); they must be equal"
        )
    height, width = (x_shape[1], x_shape[2]) if batched else (x_shape[0], x_shape[1])
    (pads_h, out_h), (pads_w, out_w) = _geometry((height, width), k_shape[:2], stride, padding)
    c_out = 1 if squeeze else k_shape[3]
    if squeeze:
        _checks.same_shape(dout, (out_h, out_w), "dout", "the forward output (H', W')")
    elif batched:
        _checks.same_shape(dout, (x_shape[0], out_h, out_w, c_out), "dout", "the forward output (N, H', W', C_out)")
    else:
        _checks.same_shape(dout, (out_h, out_w, c_out), "dout", "the forward output (H', W', C_out)")
    return _batch(dout), stride, (pads_h, pads_w), (height, width), batched, squeeze


# ---------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------


def insert_zeros(a, stride):
    """Put ``stride - 1`` zeros between neighbouring entries of ``a`` (rows and columns).

    Chapter 5 ("The gradient of convolution") uses it for strided layers: a
    stride-``s`` convolution equals a stride-1 convolution whose output is
    kept only every ``s``-th row and column, so its ``dL/dO`` is the stride-1
    ``dL/dO`` with zeros where outputs were skipped.

    Parameters
    ----------
    a : array_like, shape (H, W), (H, W, C) or (N, H, W, C)
        The array to spread out; the zeros go between rows and columns only.
    stride : int or (int, int)
        Spacing (rows, cols), >= 1; 1 returns a float64 copy of ``a``.

    Returns
    -------
    numpy.ndarray of float64
        Shape ``((H - 1) * s_rows + 1, (W - 1) * s_cols + 1, ...)``.

    Raises
    ------
    TypeError
        If ``a`` is not real numeric data or ``stride`` is not an int or pair.
    ValueError
        If ``a`` is empty or has the wrong number of dims, or ``stride < 1``.

    Examples
    --------
    >>> print(insert_zeros([[1, 2], [3, 4]], 2))
    [[1. 0. 2.]
     [0. 0. 0.]
     [3. 0. 4.]]
    """
    a = _array(a, "a", (2, 3, 4))
    s_rows, s_cols = _checks.pair(stride, "stride")
    axis = 1 if a.ndim == 4 else 0
    shape = list(a.shape)
    shape[axis] = (a.shape[axis] - 1) * s_rows + 1
    shape[axis + 1] = (a.shape[axis + 1] - 1) * s_cols + 1
    _checks.memory(8 * int(np.prod(shape)), f"the spread array ({' x '.join(map(str, shape))} float64)")
    spread = np.zeros(shape)
    index = [slice(None)] * a.ndim
    index[axis] = slice(None, None, s_rows)
    index[axis + 1] = slice(None, None, s_cols)
    spread[tuple(index)] = a
    return spread


def conv2d_grad_kernel(x, dout, kernel_shape, stride=1, padding="valid"):
    """The filter update ``dL/dK``: the padded input correlated with ``dL/dO``.

    Chapter 5 ("The gradient of convolution") derives it from the chain rule:
    ``dL/dK[i, j, ci, co] = sum over r, c (and the batch) of
    x_padded[r * s + i, c * s + j, ci] * dout[r, c, co]``. For one channel
    and stride 1 that is ``conv2d(x_padded, dout)``, the input convolved with
    ``dL/dO``; for a stride ``s > 1`` it is ``conv2d(x_padded, insert_zeros(dout, s))``
    cropped to the kernel size. The code computes the same sums the way
    :func:`cnnbook.conv.conv2d` computes a convolution, as one matrix product
    of :func:`cnnbook.conv.im2col` windows, here with ``dout`` in the place of
    the kernel: ``im2col(x_padded).T @ dout``; the images of a batch add up.

    Parameters
    ----------
    x : array_like, shape (H, W), (H, W, C_in) or (N, H, W, C_in)
        The layer's input (unpadded).
    dout : array_like
        ``dL/dO``, the shape of the forward output: ``(H', W')``,
        ``(H', W', C_out)`` or ``(N, H', W', C_out)``.
    kernel_shape : tuple
        ``(kh, kw)`` for a 2-D ``x``, else ``(kh, kw, C_in, C_out)``.
    stride : int or (int, int), default 1
        The forward stride.
    padding : {"valid", "same", "full"} or int, default "valid"
        The forward padding (as in :func:`cnnbook.conv.conv2d`).

    Returns
    -------
    numpy.ndarray of float64, shape ``kernel_shape``

    Raises
    ------
    TypeError
        If an array is not real numeric data or an argument has the wrong type.
    ValueError
        If a shape does not match the forward pass (names the argument and the
        expected shape), or stride/padding are out of range.

    Examples
    --------
    >>> x = np.arange(1, 10).reshape(3, 3)
    >>> print(conv2d_grad_kernel(x, np.ones((2, 2)), (2, 2)))   # window sums
    [[12. 16.]
     [24. 28.]]
    >>> np.array_equal(conv2d_grad_kernel(x, [[1, 2], [3, 4]], (2, 2)), conv2d(x, [[1, 2], [3, 4]]))
    True
    """
    x = _array(x, "x", (2, 3, 4))
    dout = _array(dout, "dout", (2, 3, 4))
    k_shape = _checks.shape(kernel_shape, "kernel_shape", (2, 4))
    dout4, stride, ((pt, pb), (pl, pr)), _, _, squeeze = _conv_arguments(x.shape, k_shape, dout, stride, padding)
    kh, kw = k_shape[:2]
    x4 = np.pad(_batch(x), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    c_in, c_out = x4.shape[3], dout4.shape[3]
    dk = np.zeros((kh * kw * c_in, c_out))
    for image, grad in zip(x4, dout4):
        # windows: one row per output position, the (kh kw C_in) pixels that output read.
        windows = im2col(image, kh, kw, stride=stride)
        # Each weight adds up (pixel it met) * (gradient of that output) over the positions.
        dk += windows.T @ grad.reshape(-1, c_out)
    dk = dk.reshape(kh, kw, c_in, c_out)
    return dk[:, :, 0, 0] if squeeze else dk


def conv2d_grad_input(k, dout, input_shape, stride=1, padding="valid"):
    """The new sensitivity ``dL/dX``: full correlation of ``dL/dO`` with the rotated kernel.

    Chapter 5 ("The gradient of convolution") derives it: every output
    ``O[r, c]`` sends ``dout[r, c] * K`` back onto the window it read, which
    adds up to a "full" correlation of ``dout`` with the kernel rotated by 180
    degrees (summed over output channels). With stride ``s > 1``, ``dout``
    first gets ``s - 1`` zeros between its entries (:func:`insert_zeros`).
    The result covers the padded input; cropping off the padding gives
    ``dL/dX`` (gradients that fall on padding zeros are dropped, and input
    rows/columns that no window reached get zero).

    Parameters
    ----------
    k : array_like, shape (kh, kw) or (kh, kw, C_in, C_out)
        The layer's kernel.
    dout : array_like
        ``dL/dO`` in the shape of the forward output.
    input_shape : tuple
        Shape of the forward input: ``(H, W)``, ``(H, W, C_in)`` or
        ``(N, H, W, C_in)``.
    stride : int or (int, int), default 1
        The forward stride.
    padding : {"valid", "same", "full"} or int, default "valid"
        The forward padding.

    Returns
    -------
    numpy.ndarray of float64, shape ``input_shape``

    Raises
    ------
    TypeError
        If an array is not real numeric data or an argument has the wrong type.
    ValueError
        If a shape does not match the forward pass, or stride/padding are out
        of range.

    Examples
    --------
    >>> k = np.array([[1, 2], [3, 4]])
    >>> print(conv2d_grad_input(k, np.ones((2, 2)), (3, 3)))
    [[ 1.  3.  2.]
     [ 4. 10.  6.]
     [ 3.  7.  4.]]
    """
    k = _kernel(k)
    dout = _array(dout, "dout", (2, 3, 4))
    x_shape = _checks.shape(input_shape, "input_shape", (2, 3, 4))
    dout4, stride, ((pt, pb), (pl, pr)), (height, width), batched, squeeze = _conv_arguments(
        x_shape, k.shape, dout, stride, padding
    )
    kernel = k if k.ndim == 4 else k[:, :, np.newaxis, np.newaxis]
    # Rotate by 180 degrees and swap the channel roles: (kh, kw, C_out, C_in).
    rotated = kernel[::-1, ::-1].transpose(0, 1, 3, 2)
    spread = insert_zeros(dout4, stride)  # (N, H'', W'', C_out)
    dx_padded = np.zeros((dout4.shape[0], height + pt + pb, width + pl + pr, kernel.shape[2]))
    for n in range(dout4.shape[0]):
        full = conv2d(spread[n], rotated, padding="full")  # (H'' + kh - 1, W'' + kw - 1, C_in)
        dx_padded[n, : full.shape[0], : full.shape[1]] = full
    dx = dx_padded[:, pt : pt + height, pl : pl + width, :]
    if batched:
        return dx
    return dx[0, :, :, 0] if len(x_shape) == 2 else dx[0]


def conv2d_backward(x, k, dout, stride=1, padding="valid"):
    """Both gradients of ``O = conv2d(x, k, stride, padding)``: ``(dL/dX, dL/dK)``.

    Chapter 5 ("The gradient of convolution") derives it: the backward pass of
    a convolution layer is two more convolutions,
    :func:`conv2d_grad_input` (the new sensitivity, passed to the layer
    below) and :func:`conv2d_grad_kernel` (the filter update). Agrees with
    ``tf.GradientTape`` on ``tf.nn.conv2d`` to rounding.

    Parameters
    ----------
    x : array_like, shape (H, W), (H, W, C_in) or (N, H, W, C_in)
        The forward input.
    k : array_like, shape (kh, kw) or (kh, kw, C_in, C_out)
        The kernel (Keras layout).
    dout : array_like
        ``dL/dO``, the shape of the forward output.
    stride : int or (int, int), default 1
    padding : {"valid", "same", "full"} or int, default "valid"
        As in :func:`cnnbook.conv.conv2d` (``"same"`` follows TensorFlow).

    Returns
    -------
    dx : numpy.ndarray of float64, the shape of ``x``
    dk : numpy.ndarray of float64, the shape of ``k``

    Raises
    ------
    TypeError
        If an array is not real numeric data or an argument has the wrong type.
    ValueError
        If the shapes do not fit together (names the argument and the expected
        shape), or stride/padding are out of range.

    Examples
    --------
    The lecture's 3x3 input and 2x2 filter with ``dL/dO`` all ones:

    >>> x = np.arange(1, 10).reshape(3, 3)
    >>> k = np.array([[1, 2], [3, 4]])
    >>> dx, dk = conv2d_backward(x, k, np.ones((2, 2)))
    >>> print(dk)
    [[12. 16.]
     [24. 28.]]
    >>> dx, dk = conv2d_backward(np.ones((5, 5, 3)), np.ones((3, 3, 3, 4)), np.ones((3, 3, 4)), stride=2, padding="same")
    >>> dx.shape, dk.shape
    ((5, 5, 3), (3, 3, 3, 4))
    """
    x = _array(x, "x", (2, 3, 4))
    k = _kernel(k)
    dx = conv2d_grad_input(k, dout, x.shape, stride=stride, padding=padding)
    dk = conv2d_grad_kernel(x, dout, k.shape, stride=stride, padding=padding)
    return dx, dk


def tf_conv2d_backward(x, k, dout, stride=1, padding="valid"):
    """The same gradients as :func:`conv2d_backward`, from ``tf.GradientTape`` (float64).

    Chapter 5 ("The gradient of convolution") checks the numpy backward pass
    against it: TensorFlow differentiates ``L = sum(dout * tf.nn.conv2d(x, k))``
    automatically, so ``dL/dx`` and ``dL/dk`` are the gradients for the given
    ``dout``. Shapes and arguments are those of :func:`conv2d_backward`;
    ``"full"`` and int paddings become TensorFlow's explicit padding. Needs
    TensorFlow.

    Parameters
    ----------
    x, k, dout, stride, padding
        As in :func:`conv2d_backward`.

    Returns
    -------
    dx, dk : numpy.ndarray of float64
        In the shapes of ``x`` and ``k``.

    Raises
    ------
    TypeError, ValueError
        As :func:`conv2d_backward` (the arguments are checked by it first, so
        TensorFlow never sees a kernel larger than the padded input).

    Examples
    --------
    >>> dx, dk = tf_conv2d_backward(np.arange(9).reshape(3, 3), [[1, 2], [3, 4]], np.ones((2, 2)))
    >>> dk
    array([[ 8., 12.],
           [20., 24.]])
    """
    import tensorflow as tf

    x = _array(x, "x", (2, 3, 4))
    k = _kernel(k)
    conv2d_backward(x, k, dout, stride=stride, padding=padding)  # validates every argument
    dout4 = _batch(_array(dout, "dout", (2, 3, 4)))
    x4 = _batch(x)
    k4 = k if k.ndim == 4 else k[:, :, np.newaxis, np.newaxis]
    stride = _checks.pair(stride, "stride")
    padding = _checks.padding(padding)
    if isinstance(padding, str) and padding != "full":
        tf_padding = padding.upper()
    else:
        rows, cols = (
            ((k4.shape[0] - 1,) * 2, (k4.shape[1] - 1,) * 2)
            if isinstance(padding, str)
            else ((padding, padding), (padding, padding))
        )
        tf_padding = [[0, 0], list(rows), list(cols), [0, 0]]
    x_var, k_var = tf.Variable(x4), tf.Variable(k4)
    with tf.GradientTape() as tape:
        out = tf.nn.conv2d(x_var, k_var, strides=list(stride), padding=tf_padding)
        loss = tf.reduce_sum(out * dout4)
    dx, dk = tape.gradient(loss, [x_var, k_var])
    return dx.numpy().reshape(x.shape), dk.numpy().reshape(k.shape)


# ---------------------------------------------------------------------------
# Pooling and ReLU
# ---------------------------------------------------------------------------


def _pool_arguments(x, size, stride, dout=None):
    """Validate pooling arguments; return x as (H, W, C'), a restore function and sizes."""
    x = _array(x, "x", (2, 3, 4))
    size = _checks.pair(size, "size")
    stride = size if stride is None else _checks.pair(stride, "stride")
    height, width = (x.shape[1], x.shape[2]) if x.ndim == 4 else x.shape[:2]
    for axis, n, window in (("height", height, size[0]), ("width", width, size[1])):
        if window > n:
            raise ValueError(
                f"size {window} is larger than the input {axis} {n}; pooling uses "
                f"no padding, so size must be <= the input size"
            )
    out_h = (height - size[0]) // stride[0] + 1
    out_w = (width - size[1]) // stride[1] + 1
    if x.ndim == 4:
        n_images, channels = x.shape[0], x.shape[3]
        # Fold the batch into the channel axis: (H, W, N * C).
        folded = x.transpose(1, 2, 0, 3).reshape(height, width, n_images * channels)

        def fold(a):
            return a.transpose(1, 2, 0, 3).reshape(a.shape[1], a.shape[2], n_images * channels)

        def restore(a):
            return a.reshape(a.shape[0], a.shape[1], n_images, channels).transpose(2, 0, 1, 3)

        expected = (n_images, out_h, out_w, channels)
    else:
        folded = x if x.ndim == 3 else x[:, :, np.newaxis]

        def fold(a):
            return a if a.ndim == 3 else a[:, :, np.newaxis]

        def restore(a):
            return a if x.ndim == 3 else a[:, :, 0]

        expected = (out_h, out_w) + x.shape[2:]
    if dout is not None:
        dout = _array(dout, "dout", (2, 3, 4))
        _checks.same_shape(dout, expected, "dout", "the pooled output")
        dout = fold(dout)
    return folded, dout, restore, size, stride


def _argmax_coordinates(folded, size, stride):
    """Row and column (in the input) of each window's first maximum, shape (H', W', C)."""
    windows = sliding_window_view(folded, size, axis=(0, 1))[:: stride[0], :: stride[1]]
    out_h, out_w, channels = windows.shape[:3]
    flat = windows.reshape(out_h, out_w, channels, size[0] * size[1]).argmax(axis=-1)
    rows = np.arange(out_h)[:, None, None] * stride[0] + flat // size[1]
    cols = np.arange(out_w)[None, :, None] * stride[1] + flat % size[1]
    return rows, cols


def pool_argmax(x, size=2, stride=None):
    """Where each max-pooling window found its maximum (input row and column).

    Chapter 5 ("The gradient of convolution") uses it to show where max
    pooling sends the gradient. Ties go to the first maximum in row-major
    order within the window, as in TensorFlow.

    Parameters
    ----------
    x : array_like, shape (H, W), (H, W, C) or (N, H, W, C)
        The pooling layer's input.
    size : int or (int, int), default 2
        Window (rows, cols), >= 1 and <= the input size.
    stride : int or (int, int), optional
        Step between windows; defaults to ``size``.

    Returns
    -------
    rows, cols : numpy.ndarray of int
        Each the shape of the pooled output: the input coordinates of every
        window's maximum.

    Raises
    ------
    TypeError, ValueError
        For bad arrays, sizes or strides (as :func:`cnnbook.conv.max_pool2d`).

    Examples
    --------
    >>> x = np.array([[1, 1, 2, 4],
    ...               [5, 6, 7, 8],
    ...               [3, 2, 1, 0],
    ...               [1, 2, 3, 4]])
    >>> rows, cols = pool_argmax(x)
    >>> print(rows)
    [[1 1]
     [2 3]]
    >>> print(cols)
    [[1 3]
     [0 3]]
    """
    folded, _, restore, size, stride = _pool_arguments(x, size, stride)
    rows, cols = _argmax_coordinates(folded, size, stride)
    return restore(rows), restore(cols)


def max_pool2d_backward(x, dout, size=2, stride=None):
    """Gradient of :func:`cnnbook.conv.max_pool2d`: route ``dL/dO`` to each window's arg-max.

    Chapter 5 ("The gradient of convolution") explains it: the max of a
    window changes only with its largest input, so that input gets the
    window's whole gradient and the others get nothing. Where windows overlap
    (``stride < size``) an input that is the maximum of several windows gets
    the sum of their gradients. Ties go to the first maximum in row-major
    order, as in TensorFlow.

    Parameters
    ----------
    x : array_like, shape (H, W), (H, W, C) or (N, H, W, C)
        The pooling layer's input.
    dout : array_like
        ``dL/dO`` in the shape of the pooled output.
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        As in :func:`cnnbook.conv.max_pool2d` (default: ``size``).

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``

    Raises
    ------
    TypeError, ValueError
        For bad arrays, sizes or strides, or a ``dout`` of the wrong shape.

    Examples
    --------
    >>> x = np.array([[1, 1, 2, 4],
    ...               [5, 6, 7, 8],
    ...               [3, 2, 1, 0],
    ...               [1, 2, 3, 4]])
    >>> print(max_pool2d_backward(x, [[10, 20], [30, 40]]))
    [[ 0.  0.  0.  0.]
     [ 0. 10.  0. 20.]
     [30.  0.  0.  0.]
     [ 0.  0.  0. 40.]]
    """
    folded, dout, restore, size, stride = _pool_arguments(x, size, stride, dout)
    rows, cols = _argmax_coordinates(folded, size, stride)
    channels = np.broadcast_to(np.arange(folded.shape[2]), rows.shape)
    dx = np.zeros(folded.shape)
    np.add.at(dx, (rows, cols, channels), dout)
    return restore(dx)


def avg_pool2d_backward(x, dout, size=2, stride=None):
    """Gradient of :func:`cnnbook.conv.avg_pool2d`: spread ``dL/dO`` evenly over each window.

    Chapter 5 ("The gradient of convolution") explains it: every input of a
    ``ph x pw`` window moves its mean by ``1 / (ph * pw)``, so each gets
    ``dout / (ph * pw)``; overlapping windows add up. Only the shape of ``x``
    is used.

    Parameters
    ----------
    x : array_like, shape (H, W), (H, W, C) or (N, H, W, C)
        The pooling layer's input.
    dout : array_like
        ``dL/dO`` in the shape of the pooled output.
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        As in :func:`cnnbook.conv.avg_pool2d` (default: ``size``).

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``

    Raises
    ------
    TypeError, ValueError
        For bad arrays, sizes or strides, or a ``dout`` of the wrong shape.

    Examples
    --------
    >>> print(avg_pool2d_backward(np.zeros((3, 3)), [[4, 8], [12, 16]], size=2, stride=1))
    [[ 1.  3.  2.]
     [ 4. 10.  6.]
     [ 3.  7.  4.]]
    """
    folded, dout, restore, size, stride = _pool_arguments(x, size, stride, dout)
    out_h, out_w = dout.shape[:2]
    share = dout / (size[0] * size[1])
    dx = np.zeros(folded.shape)
    for i in range(size[0]):
        for j in range(size[1]):
            dx[i : i + (out_h - 1) * stride[0] + 1 : stride[0], j : j + (out_w - 1) * stride[1] + 1 : stride[1]] += (
                share
            )
    return restore(dx)


def relu_backward(x, dout):
    """Gradient of ``max(x, 0)``: pass ``dout`` where ``x > 0``, zero elsewhere.

    Chapter 5 ("The gradient of convolution") uses it for the activation
    step of the sensitivity. At ``x == 0`` the gradient is taken as 0, as in
    TensorFlow.

    Parameters
    ----------
    x : array_like
        The ReLU's input (any shape).
    dout : array_like
        ``dL/dO``, the same shape as ``x``.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``

    Raises
    ------
    TypeError
        If an array is not real numeric data.
    ValueError
        If the shapes differ or an array is empty.

    Examples
    --------
    >>> print(relu_backward([-1.0, 0.0, 2.0], [5.0, 5.0, 5.0]))
    [0. 0. 5.]
    """
    x = _array(x, "x", None)
    dout = _array(dout, "dout", None)
    _checks.same_shape(dout, x.shape, "dout", "x")
    return np.where(x > 0, dout, 0.0)


# ---------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------


def _numerical_gradient(f, x, eps=1e-6):
    """Central finite-difference gradient of a scalar function ``f`` at ``x``.

    Chapter 5 ("The gradient of convolution") checks every analytic gradient
    against it: entry ``i`` is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``,
    accurate to about ``eps**2`` times the third derivative plus rounding of
    order ``1e-16 / eps``. It costs two calls of ``f`` per entry of ``x``, so
    use it on small arrays.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a real scalar.
    x : array_like
        The point (any shape); converted to float64, never modified.
    eps : float, default 1e-6
        Step, > 0.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``x`` is not real numeric data or ``eps``
        is not a number.
    ValueError
        If ``eps <= 0``, ``x`` is empty, or ``f`` does not return a scalar.

    Examples
    --------
    >>> g = _numerical_gradient(lambda v: np.sum(v ** 2), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    _checks.function(f, "f", "a callable returning a scalar")
    eps = _checks.number(eps, "eps", positive=True)
    point = _array(x, "x", None).copy()

    def value(at):
        result = np.asarray(f(at))
        if result.size != 1:
            raise ValueError(f"f must return a scalar; it returned shape {result.shape}")
        return float(result.reshape(()))

    grad = np.zeros(point.shape)
    flat_point = point.reshape(-1)
    flat_grad = grad.reshape(-1)
    for i in range(flat_point.size):
        saved = flat_point[i]
        flat_point[i] = saved + eps
        plus = value(point)
        flat_point[i] = saved - eps
        minus = value(point)
        flat_point[i] = saved
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_gradient(f, x, analytic, eps=1e-6):
    """Compare an analytic gradient with central finite differences; return the error.

    Chapter 5 ("The gradient of convolution") uses it for every backward
    pass. The error is ``max |analytic - numeric| / max(1, max |numeric|)``:
    an absolute error for gradients of size up to 1 and a relative one for
    larger gradients. A correct gradient in float64 gives about ``1e-9`` or
    less; a wrong one gives something of order 1.

    Parameters
    ----------
    f : callable
        The scalar function (takes an array shaped like ``x``).
    x : array_like
        The point.
    analytic : array_like
        The gradient to check, the shape of ``x``.
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    float
        The scaled maximum error.

    Raises
    ------
    TypeError, ValueError
        For a bad ``f``, ``x`` or ``eps`` (as the private
        ``_numerical_gradient``), or an ``analytic`` whose shape is not that of ``x``.

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 0.5])
    >>> check_gradient(lambda v: np.sum(v ** 3), x, 3 * x ** 2) < 1e-8
    True
    >>> check_gradient(lambda v: np.sum(v ** 3), x, 2 * x) > 0.1
    True
    """
    x = _array(x, "x", None)
    analytic = _array(analytic, "analytic", None)
    _checks.same_shape(analytic, x.shape, "analytic", "x")
    numeric = _numerical_gradient(f, x, eps=eps)
    scale = max(1.0, float(np.max(np.abs(numeric))))
    return float(np.max(np.abs(analytic - numeric)) / scale)


# ---------------------------------------------------------------------------
# Symbols (sympy) for the worked derivation
# ---------------------------------------------------------------------------


def symbol_grid(name, rows, cols):
    """A sympy Matrix of symbols ``name_11 ... name_rc`` (1-based, as on the slides).

    Chapter 5 ("The gradient of convolution") writes the 3x3 input, the 2x2
    filter and ``dL/dO`` with it. Needs sympy.

    Parameters
    ----------
    name : str
        The letter(s), e.g. ``"X"``; non-empty.
    rows, cols : int
        Size, 1 to 9 (so that the two digits of each index stay unambiguous).

    Returns
    -------
    sympy.Matrix

    Raises
    ------
    TypeError, ValueError
        For a non-string or empty name or sizes outside 1 to 9.

    Examples
    --------
    >>> symbol_grid("F", 2, 2)
    Matrix([
    [F_11, F_12],
    [F_21, F_22]])
    """
    import sympy

    _checks.text(name, "name")
    rows = _checks.integer(rows, "rows", minimum=1, maximum=9)
    cols = _checks.integer(cols, "cols", minimum=1, maximum=9)
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{name}_{i + 1}{j + 1}"))


def symbolic_conv2d(x, k, stride=1, padding=0):
    """Cross-correlation (deep-learning "convolution") on symbols: a sympy Matrix.

    Chapter 5 ("The gradient of convolution") uses it to write each output
    as a sum of products, and to show the gradients as correlations. It is
    :func:`cnnbook.conv.conv2d_loop` for 2-D matrices of sympy expressions
    (or numbers), with symmetric zero padding.

    Parameters
    ----------
    x, k : sympy.Matrix or 2-D array_like
        Input and kernel.
    stride : int, default 1
        Step between windows, >= 1.
    padding : int or "full", default 0
        Zeros on each side; ``"full"`` means ``kernel size - 1``.

    Returns
    -------
    sympy.Matrix
        ``out[r, c] = sum_ij x_padded[r * stride + i, c * stride + j] * k[i, j]``.

    Raises
    ------
    TypeError, ValueError
        For non-2-D inputs, bad stride or padding, or a kernel larger than
        the padded input.

    Examples
    --------
    >>> X, F = symbol_grid("X", 3, 3), symbol_grid("F", 2, 2)
    >>> symbolic_conv2d(X, F)[0, 0]
    F_11*X_11 + F_12*X_12 + F_21*X_21 + F_22*X_22
    """
    import sympy

    x, k = sympy.Matrix(x), sympy.Matrix(k)
    stride = _checks.integer(stride, "stride", minimum=1)
    padding = _checks.padding(padding, words=("full",))
    if padding == "full":
        pad_rows, pad_cols = k.rows - 1, k.cols - 1
    else:
        pad_rows = pad_cols = padding
    padded = sympy.zeros(x.rows + 2 * pad_rows, x.cols + 2 * pad_cols)
    padded[pad_rows : pad_rows + x.rows, pad_cols : pad_cols + x.cols] = x
    if k.rows > padded.rows or k.cols > padded.cols:
        raise ValueError(f"k {k.shape} is larger than the padded input {padded.shape}")
    out_rows = (padded.rows - k.rows) // stride + 1
    out_cols = (padded.cols - k.cols) // stride + 1
    return sympy.Matrix(
        out_rows,
        out_cols,
        lambda r, c: sum(
            padded[r * stride + i, c * stride + j] * k[i, j] for i in range(k.rows) for j in range(k.cols)
        ),
    )
