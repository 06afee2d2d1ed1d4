"""Tests of cnnbook.grad against tf.GradientTape (float64), finite differences and algebra."""

import numpy as np
import pytest
import sympy
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnbook.conv import avg_pool2d, conv2d, max_pool2d, output_size
from cnnbook.grad import (
    _numerical_gradient,
    avg_pool2d_backward,
    check_gradient,
    conv2d_backward,
    conv2d_grad_input,
    conv2d_grad_kernel,
    insert_zeros,
    max_pool2d_backward,
    pool_argmax,
    relu_backward,
    symbol_grid,
    symbolic_conv2d,
)

TOLERANCE = 1e-8


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def tf_padding(padding, kernel_hw):
    """The padding argument of tf.nn.conv2d for one of conv2d's paddings."""
    if isinstance(padding, str) and padding != "full":
        return padding.upper()
    if padding == "full":
        pads = [(kernel_hw[0] - 1,) * 2, (kernel_hw[1] - 1,) * 2]
    else:
        pads = [(padding, padding)] * 2
    return [[0, 0], list(pads[0]), list(pads[1]), [0, 0]]


def tf_conv_gradients(x4, k4, g4, stride, padding):
    """dL/dx and dL/dk of L = sum(g * conv(x, k)) by tf.GradientTape (NHWC, float64)."""
    x_var = tf.Variable(x4)
    k_var = tf.Variable(k4)
    with tf.GradientTape() as tape:
        out = tf.nn.conv2d(x_var, k_var, strides=list(as_pair(stride)), padding=tf_padding(padding, k4.shape[:2]))
        loss = tf.reduce_sum(out * g4)
    dx, dk = tape.gradient(loss, [x_var, k_var])
    return dx.numpy(), dk.numpy()


def forward_shape(x_shape, k_shape, stride, padding):
    """Spatial output shape of the convolution (raises ValueError when it does not fit)."""
    s_rows, s_cols = as_pair(stride)
    height, width = x_shape[-3:-1] if len(x_shape) >= 3 else x_shape
    return (output_size(height, k_shape[0], s_rows, padding), output_size(width, k_shape[1], s_cols, padding))


CASES = [
    # (x shape, k shape, stride, padding)
    ((3, 3), (2, 2), 1, "valid"),  # the lecture's example
    ((3, 3), (2, 2), 1, 1),  # Kuo's padded example: 4x4 output
    ((5, 7, 1), (3, 2, 1, 1), 1, "same"),
    ((6, 6, 2), (3, 3, 2, 3), 2, "valid"),  # stride 2 with an unused last row
    ((7, 5, 3), (3, 3, 3, 2), 2, "same"),  # TF's asymmetric "same" padding
    ((6, 8, 2), (2, 4, 2, 4), 2, "same"),  # even kernel, extra zero after
    ((4, 5, 1), (3, 3, 1, 2), 1, "full"),
    ((5, 5, 2), (2, 3, 2, 2), 2, "full"),
    ((8, 6, 4), (3, 3, 4, 5), (2, 1), "valid"),  # different row/column strides
    ((9, 4, 3), (1, 1, 3, 6), 3, "valid"),  # 1x1 kernel
    ((5, 6, 2), (3, 3, 2, 2), (1, 2), 2),  # int padding with stride
    ((2, 6, 3, 2), (3, 3, 2, 4), 1, "same"),  # a batch of 2
    ((3, 7, 5, 1), (2, 2, 1, 3), 2, "valid"),  # a batch of 3, stride 2
    ((4, 4), (4, 4, 1, 2), 1, "valid"),  # 2-D x with a 4-D kernel
]


@pytest.mark.parametrize("x_shape, k_shape, stride, padding", CASES)
def test_conv2d_backward_matches_tensorflow(x_shape, k_shape, stride, padding):
    rng = np.random.default_rng(len(x_shape) * 100 + sum(x_shape) + sum(k_shape))
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal(k_shape)
    out = conv2d(x[0] if x.ndim == 4 else x, k, stride=stride, padding=padding)
    dout = rng.standard_normal(((x_shape[0],) if x.ndim == 4 else ()) + out.shape)
    dx, dk = conv2d_backward(x, k, dout, stride=stride, padding=padding)
    assert dx.shape == x.shape and dk.shape == k.shape

    x4 = x if x.ndim == 4 else (x[np.newaxis, :, :, np.newaxis] if x.ndim == 2 else x[np.newaxis])
    k4 = k if k.ndim == 4 else k[:, :, np.newaxis, np.newaxis]
    g4 = dout if dout.ndim == 4 else (dout[np.newaxis, :, :, np.newaxis] if dout.ndim == 2 else dout[np.newaxis])
    tf_dx, tf_dk = tf_conv_gradients(x4, k4, g4, stride, padding)
    np.testing.assert_allclose(dx.reshape(tf_dx.shape), tf_dx, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(dk.reshape(tf_dk.shape), tf_dk, rtol=0, atol=TOLERANCE)


@st.composite
def conv_cases(draw):
    """A random batch (N, H, W, C_in), kernel, stride and padding that fit together."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = rng.standard_normal((draw(st.integers(1, 2)), draw(st.integers(1, 9)), draw(st.integers(1, 9)), c_in))
    k = rng.standard_normal((draw(st.integers(1, 4)), draw(st.integers(1, 4)), c_in, c_out))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 2)))
    try:
        out_hw = forward_shape(x.shape, k.shape, stride, padding)
    except ValueError:
        # The kernel does not fit (tf.nn.conv2d would crash, not raise): draw again.
        assume(False)
    dout = rng.standard_normal((x.shape[0],) + out_hw + (c_out,))
    return x, k, dout, stride, padding


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_property_random_shapes_match_tensorflow(case):
    x, k, dout, stride, padding = case
    dx, dk = conv2d_backward(x, k, dout, stride=stride, padding=padding)
    tf_dx, tf_dk = tf_conv_gradients(x, k, dout, stride, padding)
    assert np.max(np.abs(dx - tf_dx)) < TOLERANCE
    assert np.max(np.abs(dk - tf_dk)) < TOLERANCE


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_property_adjoint_identity(case):
    """L = sum(g * conv(x, k)) is linear in x and in k, so L = <x, dL/dx> = <k, dL/dk>."""
    x, k, dout, stride, padding = case
    dx, dk = conv2d_backward(x, k, dout, stride=stride, padding=padding)
    loss = sum(np.sum(g * conv2d(image, k, stride=stride, padding=padding)) for image, g in zip(x, dout))
    assert np.isclose(np.sum(x * dx), loss, rtol=1e-10, atol=1e-10)
    assert np.isclose(np.sum(k * dk), loss, rtol=1e-10, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(conv_cases())
def test_property_matches_finite_differences(case):
    x, k, dout, stride, padding = case
    x = x[:1]
    dout = dout[:1]
    dx, dk = conv2d_backward(x, k, dout, stride=stride, padding=padding)

    def loss_of_x(value):
        return np.sum(dout[0] * conv2d(value[0], k, stride=stride, padding=padding))

    def loss_of_k(value):
        return np.sum(dout[0] * conv2d(x[0], value, stride=stride, padding=padding))

    assert check_gradient(loss_of_x, x, dx) < 1e-7
    assert check_gradient(loss_of_k, k, dk) < 1e-7


def test_lecture_example_formulas():
    """The lecture's two results: dL/dF = conv(X, dL/dO); dL/dX = full conv of dL/dO with rot180(F)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 3))
    k = rng.standard_normal((2, 2))
    dout = rng.standard_normal((2, 2))
    dx, dk = conv2d_backward(x, k, dout)
    np.testing.assert_allclose(dk, conv2d(x, dout), atol=1e-12)
    np.testing.assert_allclose(dx, conv2d(dout, k[::-1, ::-1], padding="full"), atol=1e-12)
    # Entry by entry, e.g. dL/dX12 = dL/dO11 F12 + dL/dO12 F11 and dL/dX22 has four terms.
    assert np.isclose(dx[0, 1], dout[0, 0] * k[0, 1] + dout[0, 1] * k[0, 0])
    assert np.isclose(
        dx[1, 1], dout[0, 0] * k[1, 1] + dout[0, 1] * k[1, 0] + dout[1, 0] * k[0, 1] + dout[1, 1] * k[0, 0]
    )


def test_stride_leftover_rows_get_zero_gradient():
    x = np.ones((6, 6))
    k = np.ones((3, 3))
    dout = np.ones((2, 2))  # windows start at rows 0 and 2; row 5 is never read
    dx, _ = conv2d_backward(x, k, dout, stride=2)
    assert np.all(dx[5] == 0) and np.all(dx[:, 5] == 0)
    assert dx[2, 2] == 4  # covered by all four windows


def test_separate_gradients_equal_conv2d_backward():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 6, 2))
    k = rng.standard_normal((3, 2, 2, 3))
    dout = rng.standard_normal(conv2d(x, k, stride=2, padding="same").shape)
    dx, dk = conv2d_backward(x, k, dout, stride=2, padding="same")
    np.testing.assert_array_equal(conv2d_grad_input(k, dout, x.shape, stride=2, padding="same"), dx)
    np.testing.assert_array_equal(conv2d_grad_kernel(x, dout, k.shape, stride=2, padding="same"), dk)


def test_batch_kernel_gradient_is_sum_over_images():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 5, 2))
    k = rng.standard_normal((3, 3, 2, 2))
    dout = rng.standard_normal((3, 3, 3, 2))
    dx, dk = conv2d_backward(x, k, dout)
    singles = [conv2d_backward(x[n], k, dout[n]) for n in range(3)]
    np.testing.assert_allclose(dk, sum(single[1] for single in singles), atol=1e-12)
    np.testing.assert_allclose(dx, np.stack([single[0] for single in singles]), atol=1e-12)


def test_insert_zeros():
    np.testing.assert_array_equal(insert_zeros([[1, 2], [3, 4]], 2), [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert insert_zeros(np.ones((2, 3, 4)), (3, 1)).shape == (4, 3, 4)
    assert insert_zeros(np.ones((5, 2, 3, 4)), 2).shape == (5, 3, 5, 4)
    np.testing.assert_array_equal(insert_zeros(np.arange(4).reshape(2, 2), 1), np.arange(4).reshape(2, 2))


# --- pooling and ReLU -------------------------------------------------------


def tf_pool_gradient(pool, x4, g4, size, stride):
    x_var = tf.Variable(x4)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(
            pool(x_var, ksize=list(as_pair(size)), strides=list(as_pair(stride)), padding="VALID") * g4
        )
    return tape.gradient(loss, x_var).numpy()


POOL_CASES = [
    ((4, 4), 2, 2),
    ((5, 5), 3, 1),  # Kuo's 3x3 pool with stride 1: overlapping windows
    ((6, 5, 3), 3, 2),
    ((7, 6, 2), (2, 3), (1, 2)),
    ((2, 6, 6, 4), 2, 2),  # a batch
    ((3, 5, 4, 2), 3, 1),
]


@pytest.mark.parametrize("x_shape, size, stride", POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_backward_matches_tensorflow(x_shape, size, stride, kind):
    rng = np.random.default_rng(sum(x_shape))
    x = rng.standard_normal(x_shape)
    forward = max_pool2d if kind == "max" else avg_pool2d
    backward = max_pool2d_backward if kind == "max" else avg_pool2d_backward
    if x.ndim == 4:
        out = np.stack([forward(image, size, stride) for image in x])
    else:
        out = forward(x, size, stride)
    dout = rng.standard_normal(out.shape)
    dx = backward(x, dout, size, stride)
    assert dx.shape == x.shape

    def to4(a):
        return a if a.ndim == 4 else (a[np.newaxis, :, :, np.newaxis] if a.ndim == 2 else a[np.newaxis])

    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    expected = tf_pool_gradient(pool, to4(x), to4(dout), size, stride)
    np.testing.assert_allclose(to4(dx), expected, rtol=0, atol=TOLERANCE)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
)
def test_property_max_pool_backward_matches_finite_differences(seed, height, width, size, stride, channels):
    size = min(size, height, width)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((height, width, channels))
    dout = rng.standard_normal(max_pool2d(x, size, stride).shape)
    dx = max_pool2d_backward(x, dout, size, stride)
    # Random data has no ties, so max pooling is differentiable at x.
    assert check_gradient(lambda v: np.sum(dout * max_pool2d(v, size, stride)), x, dx) < 1e-7
    da = avg_pool2d_backward(x, dout, size, stride)
    assert check_gradient(lambda v: np.sum(dout * avg_pool2d(v, size, stride)), x, da) < 1e-7


def test_max_pool_ties_go_to_the_first_maximum_like_tensorflow():
    x = np.array([[0.0, 1.0, 2.0, 2.0], [1.0, 0.0, 2.0, 2.0], [0.0, 0.0, 5.0, 1.0], [0.0, 0.0, 1.0, 5.0]])
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    dx = max_pool2d_backward(x, dout)
    expected = tf_pool_gradient(
        tf.nn.max_pool2d, x[np.newaxis, :, :, np.newaxis], dout[np.newaxis, :, :, np.newaxis], 2, 2
    )[0, :, :, 0]
    np.testing.assert_array_equal(dx, expected)
    assert dx[0, 1] == 1 and dx[1, 0] == 0 and dx[0, 2] == 2 and dx[2, 0] == 3


def test_overlapping_max_pool_sums_at_shared_maximum():
    x = np.zeros((4, 4))
    x[1, 1] = 9.0  # the maximum of all four 3x3 windows (stride 1)
    dx = max_pool2d_backward(x, np.ones((2, 2)), size=3, stride=1)
    assert dx[1, 1] == 4 and dx.sum() == 4


def test_pool_argmax():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    rows, cols = pool_argmax(x)
    np.testing.assert_array_equal(rows, [[1, 1], [2, 3]])
    np.testing.assert_array_equal(cols, [[1, 3], [0, 3]])
    np.testing.assert_array_equal(x[rows, cols], max_pool2d(x))
    batch = np.random.default_rng(0).standard_normal((2, 6, 6, 3))
    rows, cols = pool_argmax(batch, 3, 1)
    assert rows.shape == cols.shape == (2, 4, 4, 3)


def test_relu_backward_matches_tensorflow():
    x = np.array([[-2.0, 0.0, 0.5], [3.0, -0.1, 0.0]])
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.relu(x_var) * dout)
    np.testing.assert_array_equal(relu_backward(x, dout), tape.gradient(loss, x_var).numpy())


# --- finite differences -----------------------------------------------------


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(_numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, atol=1e-8)
    np.testing.assert_allclose(_numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), atol=1e-8)
    assert x[0, 0] == 1.0  # the input is not modified


def test_check_gradient_flags_a_wrong_gradient():
    x = np.array([0.3, -1.2, 2.0])
    assert check_gradient(lambda v: np.sum(v**3), x, 3 * x**2) < 1e-8
    # An error of 1e-3 everywhere, scaled by the largest gradient 3 * 2.0**2 = 12.
    assert np.isclose(check_gradient(lambda v: np.sum(v**3), x, 3 * x**2 + 1e-3), 1e-3 / 12, rtol=1e-3)


def test_check_gradient_catches_a_transposed_kernel_gradient():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 4))
    k = rng.standard_normal((2, 2))
    dout = rng.standard_normal((3, 3))
    _, dk = conv2d_backward(x, k, dout)
    error = check_gradient(lambda value: np.sum(dout * conv2d(x, value)), k, dk.T)
    assert error > 1e-3


# --- symbols ----------------------------------------------------------------


def test_symbolic_conv2d_matches_numeric_conv2d():
    X, F = symbol_grid("X", 3, 3), symbol_grid("F", 2, 2)
    O = symbolic_conv2d(X, F)
    assert O.shape == (2, 2)
    assert sympy.expand(O[0, 1] - (X[0, 1] * F[0, 0] + X[0, 2] * F[0, 1] + X[1, 1] * F[1, 0] + X[1, 2] * F[1, 1])) == 0
    rng = np.random.default_rng(0)
    x, k = rng.integers(-5, 5, (4, 5)), rng.integers(-3, 3, (2, 3))
    for stride, padding in ((1, 0), (2, 1), (1, "full")):
        symbolic = np.array(symbolic_conv2d(sympy.Matrix(x), sympy.Matrix(k), stride, padding), dtype=float)
        np.testing.assert_array_equal(symbolic, conv2d(x, k, stride=stride, padding=padding))


def test_symbolic_chain_rule_gives_the_two_convolutions():
    X, F, G = symbol_grid("X", 3, 3), symbol_grid("F", 2, 2), symbol_grid("G", 2, 2)
    O = symbolic_conv2d(X, F)
    loss = sum(G[r, c] * O[r, c] for r in range(2) for c in range(2))
    dF = sympy.Matrix(2, 2, lambda i, j: sympy.diff(loss, F[i, j]))
    dX = sympy.Matrix(3, 3, lambda i, j: sympy.diff(loss, X[i, j]))
    assert sympy.expand(dF - symbolic_conv2d(X, G)) == sympy.zeros(2, 2)
    rotated = sympy.Matrix(2, 2, lambda i, j: F[1 - i, 1 - j])
    assert sympy.expand(dX - symbolic_conv2d(G, rotated, padding="full")) == sympy.zeros(3, 3)


@pytest.mark.parametrize("x_shape, k_shape, stride, padding", CASES)
def test_tf_reference_helper_agrees(x_shape, k_shape, stride, padding):
    from cnnbook.grad import tf_conv2d_backward

    rng = np.random.default_rng(11)
    x = rng.standard_normal(x_shape)
    k = rng.standard_normal(k_shape)
    out = conv2d(x[0] if x.ndim == 4 else x, k, stride=stride, padding=padding)
    dout = rng.standard_normal(((x_shape[0],) if x.ndim == 4 else ()) + out.shape)
    dx, dk = conv2d_backward(x, k, dout, stride=stride, padding=padding)
    tf_dx, tf_dk = tf_conv2d_backward(x, k, dout, stride=stride, padding=padding)
    assert tf_dx.shape == x.shape and tf_dk.shape == k.shape
    assert np.max(np.abs(dx - tf_dx)) < TOLERANCE and np.max(np.abs(dk - tf_dk)) < TOLERANCE


def test_a_kernel_is_never_mistaken_for_a_channels_first_image():
    # (3, 3, 8, 16) read as a batch would look like (N, C, H, W); kernels are not checked that way
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal((2, 10, 10, 8)), rng.standard_normal((3, 3, 8, 16))
    dout = rng.standard_normal((2, 10, 10, 16))
    dx = conv2d_grad_input(k, dout, x.shape, padding="same")
    dx_again, _ = conv2d_backward(x, k, dout, padding="same")
    np.testing.assert_allclose(dx, dx_again)
