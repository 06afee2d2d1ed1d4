"""Tests of cnnbook.conv against scipy, TensorFlow and the loop version."""

import numpy as np
import pytest
import scipy.signal
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook.conv import (
    avg_pool2d,
    conv2d,
    conv2d_loop,
    convolve2d,
    im2col,
    max_pool2d,
    output_size,
    pad_amounts,
)

SETTINGS = settings(max_examples=60, deadline=None)
FEW = settings(max_examples=30, deadline=None)

sizes = st.integers(1, 10)
small = st.integers(1, 3)
pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.one_of(st.sampled_from(["valid", "same", "full"]), st.integers(0, 3))
seeds = st.integers(0, 2**32 - 1)


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def effective(k, d):
    return d * (k - 1) + 1


@st.composite
def conv_cases(draw, paddings=paddings):
    """A random image (H, W, C_in), kernel (kh, kw, C_in, C_out) and arguments."""
    rng = np.random.default_rng(draw(seeds))
    c_in = draw(small)
    x = rng.standard_normal((draw(sizes), draw(sizes), c_in))
    k = rng.standard_normal((draw(st.integers(1, 4)), draw(st.integers(1, 4)), c_in, draw(small)))
    return x, k, draw(pairs), draw(paddings), draw(pairs)


def tf_conv(x, k, stride, padding, dilation):
    """tf.nn.conv2d on one (H, W, C) image in float64; padding as TF takes it."""
    out = tf.nn.conv2d(
        tf.constant(x[np.newaxis]),
        tf.constant(k),
        strides=list(as_pair(stride)),
        padding=padding,
        dilations=list(as_pair(dilation)),
    )
    return out.numpy()[0]


def tf_padding(x, k, padding, dilation):
    """TF's spelling of our padding: "VALID"/"SAME" or explicit NHWC amounts."""
    if padding in ("valid", "same"):
        return padding.upper()
    d_rows, d_cols = as_pair(dilation)
    if padding == "full":
        p_rows, p_cols = effective(k.shape[0], d_rows) - 1, effective(k.shape[1], d_cols) - 1
    else:
        p_rows = p_cols = padding
    return [[0, 0], [p_rows, p_rows], [p_cols, p_cols], [0, 0]]


# ---------------------------------------------------------------------------
# conv2d against scipy.signal
# ---------------------------------------------------------------------------


def test_a_kernel_larger_than_the_padded_input_names_the_padding():
    # Found by the widget fuzz test: sliding_kernel refused padding=0 without naming the 0.
    with pytest.raises(ValueError, match=r"padded input height is 6 \(padding=0\)"):
        conv2d(np.ones((6, 6)), np.ones((3, 3)), padding=0, dilation=3)
    with pytest.raises(ValueError, match=r"padded input size is 6 \(padding='valid'\)"):
        output_size(6, 3, padding="valid", dilation=3)


@given(
    seed=seeds, h=sizes, w=sizes, kh=st.integers(1, 5), kw=st.integers(1, 5), mode=st.sampled_from(["valid", "full"])
)
@FEW
def test_conv2d_matches_scipy_correlate2d(seed, h, w, kh, kw, mode):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    k = rng.standard_normal((kh, kw))
    if mode == "valid" and (kh > h or kw > w):
        with pytest.raises(ValueError, match="k is larger than the padded input"):
            conv2d(x, k, padding=mode)
        return
    np.testing.assert_allclose(conv2d(x, k, padding=mode), scipy.signal.correlate2d(x, k, mode=mode), atol=1e-12)


@FEW
@given(seed=seeds, h=sizes, w=sizes, kh=st.sampled_from([1, 3, 5]), kw=st.sampled_from([1, 3, 5]))
def test_conv2d_same_matches_scipy_for_odd_kernels(seed, h, w, kh, kw):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    k = rng.standard_normal((kh, kw))
    ours = conv2d(x, k, padding="same")
    assert ours.shape == (h, w)
    np.testing.assert_allclose(ours, scipy.signal.correlate2d(x, k, mode="same"), atol=1e-12)


@FEW
@given(
    seed=seeds,
    h=sizes,
    w=sizes,
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    c_in=small,
    c_out=small,
    mode=st.sampled_from(["valid", "full"]),
)
def test_convolve2d_matches_scipy_convolve2d_per_channel(seed, h, w, kh, kw, c_in, c_out, mode):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((max(h, kh), max(w, kw), c_in))
    k = rng.standard_normal((kh, kw, c_in, c_out))
    expected = np.stack(
        [sum(scipy.signal.convolve2d(x[:, :, c], k[:, :, c, o], mode=mode) for c in range(c_in)) for o in range(c_out)],
        axis=-1,
    )
    np.testing.assert_allclose(convolve2d(x, k, padding=mode), expected, atol=1e-12)
    np.testing.assert_allclose(
        convolve2d(x[:, :, 0], k[:, :, 0, 0], padding=mode),
        scipy.signal.convolve2d(x[:, :, 0], k[:, :, 0, 0], mode=mode),
        atol=1e-12,
    )


def test_correlation_and_convolution_differ_by_a_rotated_kernel():
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    # Correlating an impulse paints the kernel rotated by 180 degrees; convolving paints it upright.
    np.testing.assert_array_equal(conv2d(impulse, kernel, padding="same"), np.pad(kernel[::-1, ::-1], 1))
    np.testing.assert_array_equal(convolve2d(impulse, kernel, padding="same"), np.pad(kernel, 1))


# ---------------------------------------------------------------------------
# conv2d against tf.nn.conv2d
# ---------------------------------------------------------------------------


@SETTINGS
@given(case=conv_cases())
def test_conv2d_matches_tf_conv2d(case):
    """Every padding, stride and dilation, stride > 1 with dilation > 1 included."""
    x, k, stride, padding, dilation = case
    try:
        ours = conv2d(x, k, stride=stride, padding=padding, dilation=dilation)
    except ValueError as error:
        assert "k is larger than the padded input" in str(error)
        # TensorFlow refuses the same case or returns an empty output.
        try:
            out = tf_conv(x, k, stride, tf_padding(x, k, padding, dilation), dilation)
        except (tf.errors.InvalidArgumentError, ValueError):
            return
        assert out.size == 0
        return
    expected = tf_conv(x, k, stride, tf_padding(x, k, padding, dilation), dilation)
    assert ours.dtype == np.float64
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)
    (s_rows, s_cols), (d_rows, d_cols) = as_pair(stride), as_pair(dilation)
    assert ours.shape[0] == output_size(x.shape[0], k.shape[0], s_rows, padding, d_rows)
    assert ours.shape[1] == output_size(x.shape[1], k.shape[1], s_cols, padding, d_cols)


@FEW
@given(case=conv_cases(paddings=st.integers(0, 3)))
def test_int_padding_equals_np_pad_then_tf_valid(case):
    x, k, stride, padding, dilation = case
    padded = np.pad(x, ((padding, padding), (padding, padding), (0, 0)))
    fits = all(effective(k.shape[a], as_pair(dilation)[a]) <= padded.shape[a] for a in (0, 1))
    if not fits:
        with pytest.raises(ValueError, match="k is larger than the padded input"):
            conv2d(x, k, stride=stride, padding=padding, dilation=dilation)
        return
    np.testing.assert_allclose(
        conv2d(x, k, stride=stride, padding=padding, dilation=dilation),
        tf_conv(padded, k, stride, "VALID", dilation),
        rtol=1e-10,
        atol=1e-10,
    )


@pytest.mark.parametrize("n", [5, 6, 7, 8])
@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_same_padding_follows_tensorflow_with_strides_and_even_kernels(n, kernel, stride):
    rng = np.random.default_rng(n * 100 + kernel * 10 + stride)
    x = rng.standard_normal((n, n + 1, 2))
    k = rng.standard_normal((kernel, kernel, 2, 3))
    expected = tf_conv(x, k, stride, "SAME", 1)
    ours = conv2d(x, k, stride=stride, padding="same")
    assert ours.shape == expected.shape == (-(-n // stride), -(-(n + 1) // stride), 3)
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-10)


def test_keras_conv2d_layer_agrees():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((9, 11, 3))
    layer = tf.keras.layers.Conv2D(4, (2, 3), strides=2, padding="same", use_bias=False, dtype="float64")
    out = layer(x[np.newaxis]).numpy()[0]
    np.testing.assert_allclose(conv2d(x, layer.get_weights()[0], stride=2, padding="same"), out, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------
# conv2d against conv2d_loop, and the input forms
# ---------------------------------------------------------------------------


@SETTINGS
@given(case=conv_cases())
def test_conv2d_equals_conv2d_loop(case):
    x, k, stride, padding, dilation = case
    try:
        fast = conv2d(x, k, stride=stride, padding=padding, dilation=dilation)
    except ValueError as error:
        with pytest.raises(ValueError, match="k is larger than the padded input"):
            conv2d_loop(x, k, stride=stride, padding=padding, dilation=dilation)
        assert "k is larger than the padded input" in str(error)
        return
    slow = conv2d_loop(x, k, stride=stride, padding=padding, dilation=dilation)
    assert slow.dtype == fast.dtype == np.float64
    assert slow.shape == fast.shape
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-10)


@FEW
@given(case=conv_cases(paddings=st.one_of(st.just("valid"), st.integers(0, 3))))
def test_stride_subsamples_the_unit_stride_output(case):
    """With fixed padding, stride s keeps every s-th output of stride 1."""
    x, k, stride, padding, dilation = case
    try:
        dense = conv2d(x, k, padding=padding, dilation=dilation)
    except ValueError:
        return
    s_rows, s_cols = as_pair(stride)
    np.testing.assert_allclose(
        conv2d(x, k, stride=stride, padding=padding, dilation=dilation),
        dense[::s_rows, ::s_cols],
        rtol=1e-12,
        atol=1e-12,
    )


@FEW
@given(
    seed=seeds,
    h=sizes,
    w=sizes,
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    stride=pairs,
    padding=paddings,
    dilation=pairs,
)
def test_two_dimensional_forms_agree_with_channel_form(seed, h, w, kh, kw, stride, padding, dilation):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w))
    k = rng.standard_normal((kh, kw))
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    try:
        reference = conv2d(x[:, :, None], k[:, :, None, None], **kwargs)[:, :, 0]
    except ValueError:
        return
    out_2d = conv2d(x, k, **kwargs)
    assert out_2d.ndim == 2
    np.testing.assert_array_equal(out_2d, reference)
    out_4d = conv2d(x, k[:, :, None, None], **kwargs)  # 2-D x with a C_in == 1 kernel
    assert out_4d.shape == reference.shape + (1,)
    np.testing.assert_array_equal(out_4d[:, :, 0], reference)
    np.testing.assert_allclose(conv2d_loop(x, k, **kwargs), reference, rtol=1e-12, atol=1e-12)


def test_two_dimensional_x_with_several_filters():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 7))
    k = rng.standard_normal((3, 3, 1, 4))
    out = conv2d(x, k, padding="same")
    assert out.shape == (6, 7, 4)
    for o in range(4):
        np.testing.assert_allclose(out[:, :, o], scipy.signal.correlate2d(x, k[:, :, 0, o], mode="same"), atol=1e-12)


def test_integer_bool_and_list_inputs_give_float64():
    x_bool = np.eye(5, dtype=bool)
    k_int = [[1, -1], [-1, 1]]
    out = conv2d(x_bool, k_int)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, conv2d(x_bool.astype(float), np.array(k_int, dtype=float)))
    np.testing.assert_array_equal(out, scipy.signal.correlate2d(x_bool.astype(int), k_int, mode="valid"))
    np.testing.assert_array_equal(conv2d_loop(x_bool, k_int), out)


def test_padding_words_are_case_insensitive_and_input_is_not_modified():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 6, 2))
    k = rng.standard_normal((3, 3, 2, 2))
    x_copy, k_copy = x.copy(), k.copy()
    np.testing.assert_array_equal(conv2d(x, k, padding="SAME"), conv2d(x, k, padding="same"))
    np.testing.assert_array_equal(conv2d(x, k, padding="Full"), conv2d(x, k, padding="full"))
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(k, k_copy)


def test_stride_and_dilation_accept_numpy_integers_and_arrays():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((9, 9, 1))
    k = rng.standard_normal((2, 2, 1, 1))
    expected = conv2d(x, k, stride=(2, 1), dilation=(1, 3))
    np.testing.assert_array_equal(conv2d(x, k, stride=np.array([2, 1]), dilation=[np.int64(1), 3]), expected)
    np.testing.assert_array_equal(conv2d(x, k, stride=np.int32(2)), conv2d(x, k, stride=2))


# ---------------------------------------------------------------------------
# im2col
# ---------------------------------------------------------------------------


@FEW
@given(seed=seeds, h=sizes, w=sizes, c=small, kh=st.integers(1, 3), kw=st.integers(1, 3), stride=pairs, dilation=pairs)
def test_im2col_column_order_and_matrix_product(seed, h, w, c, kh, kw, stride, dilation):
    rng = np.random.default_rng(seed)
    (s_rows, s_cols), (d_rows, d_cols) = as_pair(stride), as_pair(dilation)
    x = rng.standard_normal((h + effective(kh, d_rows), w + effective(kw, d_cols), c))
    columns = im2col(x, kh, kw, stride=stride, dilation=dilation)
    out_h = output_size(x.shape[0], kh, s_rows, 0, d_rows)
    out_w = output_size(x.shape[1], kw, s_cols, 0, d_cols)
    assert columns.shape == (out_h * out_w, kh * kw * c)
    # The documented order: row r * W' + q, column (i * kw + j) * C + ch.
    for _ in range(20):
        r, q = rng.integers(out_h), rng.integers(out_w)
        i, j, ch = rng.integers(kh), rng.integers(kw), rng.integers(c)
        assert columns[r * out_w + q, (i * kw + j) * c + ch] == x[r * s_rows + i * d_rows, q * s_cols + j * d_cols, ch]
    k = rng.standard_normal((kh, kw, c, 2))
    product = (columns @ k.reshape(-1, 2)).reshape(out_h, out_w, 2)
    np.testing.assert_allclose(product, conv2d(x, k, stride=stride, dilation=dilation), rtol=1e-12, atol=1e-12)


def test_im2col_two_dimensional_input_is_one_channel():
    x = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(im2col(x, 2, 3), im2col(x[:, :, None], 2, 3))
    np.testing.assert_array_equal(im2col(x, 2, 3)[0], [0, 1, 2, 5, 6, 7])


# ---------------------------------------------------------------------------
# output_size and pad_amounts
# ---------------------------------------------------------------------------

# The cases of Dumoulin and Visin, "A guide to convolution arithmetic for deep
# learning" (2016), figures 2.1-2.7 and 5.1: (i, k, s, p, d) -> o.
CONV_ARITHMETIC = [
    ("no padding, unit strides (fig 2.1)", 4, 3, 1, 0, 1, 2),
    ("arbitrary padding, unit strides (fig 2.2)", 5, 4, 1, 2, 1, 6),
    ("half padding, unit strides (fig 2.3)", 5, 3, 1, 1, 1, 5),
    ("full padding, unit strides (fig 2.4)", 5, 3, 1, 2, 1, 7),
    ("no padding, strides (fig 2.5)", 5, 3, 2, 0, 1, 2),
    ("padding, strides (fig 2.6)", 5, 3, 2, 1, 1, 3),
    ("padding, strides, odd (fig 2.7)", 6, 3, 2, 1, 1, 3),
    ("no padding, dilation (fig 5.1)", 7, 3, 1, 0, 2, 3),
]


@pytest.mark.parametrize("name, i, k, s, p, d, o", CONV_ARITHMETIC, ids=[c[0] for c in CONV_ARITHMETIC])
def test_output_size_conv_arithmetic_cases(name, i, k, s, p, d, o):
    assert output_size(i, k, stride=s, padding=p, dilation=d) == o
    out = conv2d(np.ones((i, i)), np.ones((k, k)), stride=s, padding=p, dilation=d)
    assert out.shape == (o, o)
    padded = np.ones((1, i + 2 * p, i + 2 * p, 1))
    tf_out = tf.nn.conv2d(padded, np.ones((k, k, 1, 1)), strides=s, padding="VALID", dilations=d)
    assert tuple(tf_out.shape) == (1, o, o, 1)


@pytest.mark.parametrize("i, k", [(5, 3), (7, 5), (4, 1), (6, 3)])
def test_output_size_word_relations(i, k):
    # Half (same) padding with unit stride keeps the size; full padding grows it by k - 1.
    assert output_size(i, k, padding="same") == i
    assert output_size(i, k, padding="full") == i + k - 1
    assert output_size(i, k, padding="valid") == output_size(i, k, padding=0) == i - k + 1
    assert output_size(i, k, padding=(k - 1) // 2) == i - (k + 1) % 2


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 8), s=st.integers(1, 5), p=st.integers(0, 6), d=st.integers(1, 4))
def test_output_size_formula(n, k, s, p, d):
    numerator = n + 2 * p - d * (k - 1) - 1
    if numerator < 0:
        with pytest.raises(ValueError, match="k is larger than the padded input"):
            output_size(n, k, s, p, d)
    else:
        assert output_size(n, k, s, p, d) == numerator // s + 1
    assert output_size(n, k, s, "same", d) == -(-n // s)
    assert output_size(n, k, s, "full", d) == (n + d * (k - 1) - 1) // s + 1


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 8), s=st.integers(1, 5), d=st.integers(1, 4))
def test_pad_amounts_same_rule(n, k, s, d):
    before, after = pad_amounts(n, k, s, "same", d)
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    assert (before, after) == (total // 2, total - total // 2)
    assert pad_amounts(n, k, s, "valid", d) == (0, 0)
    assert pad_amounts(n, k, s, "full", d) == (d * (k - 1), d * (k - 1))
    assert pad_amounts(n, k, s, 2, d) == (2, 2)


def test_pad_amounts_puts_the_odd_zero_after():
    assert pad_amounts(5, 2, padding="same") == (0, 1)
    assert pad_amounts(6, 4, padding="same") == (1, 2)
    assert pad_amounts(6, 3, stride=2, padding="same") == (0, 1)
    assert pad_amounts(7, 3, stride=2, padding="same") == (1, 1)


# ---------------------------------------------------------------------------
# Pooling against tf.nn
# ---------------------------------------------------------------------------


@SETTINGS
@given(seed=seeds, h=sizes, w=sizes, c=small, size=pairs, stride=st.one_of(st.none(), pairs))
def test_pooling_matches_tf(seed, h, w, c, size, stride):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w, c))
    ph, pw = as_pair(size)
    if ph > h or pw > w:
        for pool in (max_pool2d, avg_pool2d):
            with pytest.raises(ValueError, match="size"):
                pool(x, size=size, stride=stride)
        return
    tf_stride = list(as_pair(size if stride is None else stride))
    for ours, theirs in ((max_pool2d, tf.nn.max_pool2d), (avg_pool2d, tf.nn.avg_pool2d)):
        expected = theirs(tf.constant(x[np.newaxis]), ksize=[ph, pw], strides=tf_stride, padding="VALID").numpy()[0]
        out = ours(x, size=size, stride=stride)
        assert out.dtype == np.float64
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ours(x[:, :, 0], size=size, stride=stride), out[:, :, 0], rtol=1e-12, atol=1e-12)


def test_pooling_shapes_follow_output_size():
    x = np.arange(7 * 9 * 2, dtype=float).reshape(7, 9, 2)
    out = max_pool2d(x, size=(3, 2), stride=(2, 3))
    assert out.shape == (output_size(7, 3, 2), output_size(9, 2, 3), 2)
    assert max_pool2d(x).shape == avg_pool2d(x).shape == (3, 4, 2)


# ---------------------------------------------------------------------------
# Bad input (the error-message tests are in test_checks.py)
# ---------------------------------------------------------------------------


def test_padding_can_make_a_large_kernel_fit():
    assert conv2d(np.ones((3, 3)), np.ones((5, 5)), padding=1).shape == (1, 1)
    assert conv2d(np.ones((3, 3)), np.ones((5, 5)), padding="same").shape == (3, 3)
