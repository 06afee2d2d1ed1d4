"""Error-message tests of every cnnbook function: one file for the one validation module.

cnnbook validates through :mod:`cnnbook._checks`, so the same mistake gets the
same error everywhere: TypeError for a wrong type, ValueError for a wrong
value, and a message that names the argument, what was given and what is
allowed. The behaviour tests stay in each module's test file.
"""

import numpy as np
import pytest

from cnnbook import _checks, architectures, data, features, numpy_cnn, params, toy, viz
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
from cnnbook.grad import (
    _numerical_gradient,
    avg_pool2d_backward,
    check_gradient,
    conv2d_backward,
    conv2d_grad_input,
    conv2d_grad_kernel,
    insert_zeros,
    max_pool2d_backward,
    relu_backward,
    symbol_grid,
    symbolic_conv2d,
)
from cnnbook.widgets import _media


def _ids(cases):
    return [f"{case[0].__name__}-{i}" for i, case in enumerate(cases)]


# ---------------------------------------------------------------------------
# cnnbook._checks: one kind of mistake, one error
# ---------------------------------------------------------------------------

CHECKS_BAD = [
    (_checks.integer, ("5", "stride"), dict(minimum=1), TypeError, r"stride must be an int >= 1; got '5' of type str"),
    (
        _checks.integer,
        (2.0, "stride"),
        dict(minimum=1),
        TypeError,
        r"stride must be an int >= 1; got 2.0 of type float",
    ),
    (_checks.integer, (True, "count"), {}, TypeError, r"count must be an int; got True of type bool"),
    (_checks.integer, (0, "stride"), dict(minimum=1), ValueError, r"stride must be an int >= 1; got 0"),
    (
        _checks.integer,
        (11, "level"),
        dict(minimum=0, maximum=9),
        ValueError,
        r"level must be an int from 0 to 9; got 11",
    ),
    (
        _checks.number,
        ("0.1", "learning_rate"),
        dict(positive=True),
        TypeError,
        r"learning_rate must be a finite number > 0; got '0.1'",
    ),
    (_checks.number, (float("nan"), "learning_rate"), dict(positive=True), ValueError, r"learning_rate .* got nan"),
    (
        _checks.number,
        (float("inf"), "eps"),
        dict(positive=True),
        ValueError,
        r"eps must be a finite number > 0; got inf",
    ),
    (_checks.number, (-0.1, "learning_rate"), dict(positive=True), ValueError, r"got -0.1"),
    (
        _checks.number,
        (11, "noise"),
        dict(minimum=0, maximum=10),
        ValueError,
        r"noise must be a finite number from 0 to 10; got 11.0",
    ),
    (_checks.pair, ((1, 2, 3), "stride"), {}, ValueError, r"stride must be .* pair .* got \(1, 2, 3\) with 3 values"),
    (_checks.pair, ((1, 2.0), "stride"), {}, TypeError, r"stride must be an int >= 1 or a pair"),
    (_checks.pair, ("3", "kernel"), {}, TypeError, r"kernel must be .* got '3' of type str"),
    (_checks.pair, (-1, "padding"), dict(minimum=0), ValueError, r"padding must be an int >= 0 or a pair"),
    (
        _checks.choice,
        ("sum", "kind"),
        dict(allowed=("max", "average")),
        ValueError,
        r"kind must be one of 'max', 'average'; got 'sum'",
    ),
    (
        _checks.choice,
        (3, "kind"),
        dict(allowed=("max", "average")),
        TypeError,
        r"kind must be one of .* got 3 of type int",
    ),
    (_checks.padding, ("half",), {}, ValueError, r"padding must be 'valid', 'same', 'full' or an int >= 0; got 'half'"),
    (_checks.padding, (1.5,), {}, TypeError, r"padding must be .* got 1.5 of type float"),
    (
        _checks.padding,
        (1,),
        dict(words=("valid", "same"), allow_int=False),
        TypeError,
        r"padding must be 'valid' or 'same'; got 1",
    ),
    (_checks.boolean, (1, "bias"), {}, TypeError, r"bias must be True or False; got 1 of type int"),
    (_checks.text, (3, "name"), {}, TypeError, r"name must be a non-empty str; got 3 of type int"),
    (_checks.text, ("", "name"), dict(optional=True), ValueError, r"name must be a non-empty str or None; got ''"),
    (
        _checks.shape,
        ([3, 0], "kernel_shape", (2, 4)),
        {},
        ValueError,
        r"kernel_shape must be .* ints >= 1; got \(3, 0\)",
    ),
    (_checks.shape, (3, "kernel_shape", (2, 4)), {}, TypeError, r"kernel_shape must be .* got 3 of type int"),
    (_checks.shape, ((3, 3, 1), "kernel_shape", (2, 4)), {}, ValueError, r"kernel_shape .* with 3 values"),
    (_checks.array, ([1, 2], "x", 2, "(H, W)"), {}, ValueError, r"x must be \(H, W\); got 1 dims with shape \(2,\)"),
    (
        _checks.array,
        (np.array(["a"]), "x", 1, "(N,)"),
        {},
        TypeError,
        r"x must hold real numbers \(bool, int or float\); got dtype <U1",
    ),
    (
        _checks.array,
        (np.array([1.5]), "y", 1, "(N,)"),
        dict(kinds="iu"),
        TypeError,
        r"y must hold integers; got dtype float64",
    ),
    (
        _checks.array,
        ([[1, 2], [3]], "x", 2, "(H, W)"),
        {},
        ValueError,
        r"x must be a rectangular numeric array \(H, W\); got a ragged",
    ),
    (_checks.array, (np.zeros((0, 3)), "x", 2, "(H, W)"), {}, ValueError, r"x must not be empty; got shape \(0, 3\)"),
    (_checks.array, (np.array([np.nan]), "x", 1, "(N,)"), {}, ValueError, r"x must hold finite numbers"),
    (
        _checks.float_image,
        (np.array([[0, 300]]), "image"),
        {},
        ValueError,
        r"image is an integer image with values from 0 to 300",
    ),
    (
        _checks.float_image,
        (np.array([[0.0, 200.0]]), "image"),
        {},
        ValueError,
        r"image is a float image with values up to 200 .* divide it by 255",
    ),
    (
        _checks.float_image,
        (np.array([[-0.5, 0.5]]), "image"),
        {},
        ValueError,
        r"image is a float image with values down to -0.5",
    ),
    (
        _checks.float_image,
        (np.zeros((3, 28, 28)), "image"),
        {},
        ValueError,
        r"image looks channels-first: shape \(3, 28, 28\)",
    ),
    (
        _checks.channels_last,
        (np.zeros((5, 1, 28, 28)), "x"),
        {},
        ValueError,
        r"x looks channels-first: .* \(N, H, W, C\): use np.moveaxis\(x, 1, -1\)",
    ),
    (
        _checks.kernel_layout,
        ((64, 3, 3, 3), 3, "k"),
        {},
        ValueError,
        r"k looks like PyTorch's \(C_out, C_in, kh, kw\) layout",
    ),
    (
        _checks.memory,
        (3 * 1024**3, "the im2col matrix"),
        {},
        ValueError,
        r"the im2col matrix would need 3.0 GiB .* limit is 2.0 GiB",
    ),
    (_checks.writable_directory, (3, "cache_dir"), {}, TypeError, r"cache_dir must be a path"),
    (
        _checks.same_shape,
        (np.zeros((2, 2)), (3, 3), "dout", "the forward output"),
        {},
        ValueError,
        r"dout must have the shape of the forward output \(3, 3\); got \(2, 2\)",
    ),
]


@pytest.mark.parametrize("check, args, kwargs, error, message", CHECKS_BAD, ids=_ids(CHECKS_BAD))
def test_checks_bad_input(check, args, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        check(*args, **kwargs)
    assert info.value.__cause__ is None


@pytest.mark.parametrize("shape", [(3, 3, 8), (4, 4, 8), (8, 8, 1), (28, 28, 3), (2, 6, 6, 8), (3, 28, 28, 1)])
def test_channels_last_passes_channels_last_arrays_and_small_feature_maps(shape):
    _checks.channels_last(np.zeros(shape), "x")


@pytest.mark.parametrize("shape", [(3, 3, 1, 8), (5, 5, 3, 64), (3, 2, 2, 2), (1, 1, 64, 3), (7, 7, 3, 3)])
def test_kernel_layout_passes_keras_kernels(shape):
    _checks.kernel_layout(shape, shape[2], "k")


def test_writable_directory_refuses_a_file_before_any_work(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(ValueError, match=r"cache_dir .* is not a writable directory"):
        _checks.writable_directory(a_file / "models", "cache_dir")


# ---------------------------------------------------------------------------
# cnnbook.conv
# ---------------------------------------------------------------------------

X = np.ones((5, 5))
X3 = np.ones((5, 5, 3))
K = np.ones((3, 3))
K4 = np.ones((3, 3, 3, 2))

CONV_BAD = [
    (dict(x=np.ones(5), k=K), ValueError, r"x must be \(H, W\) or \(H, W, C\); got 1 dims"),
    (dict(x=np.ones((1, 5, 5, 3)), k=K4), ValueError, r"x must be .* got 4 dims"),
    (dict(x=X3, k=np.ones((3, 3, 3))), ValueError, r"k must be \(kh, kw\) or \(kh, kw, C_in, C_out\); got 3"),
    (dict(x=X, k=np.ones(3)), ValueError, r"k must be .* got 1 dims"),
    (dict(x=np.ones((0, 5)), k=K), ValueError, r"x must not be empty"),
    (dict(x=X, k=np.ones((3, 0))), ValueError, r"k must not be empty"),
    (dict(x=X3, k=K), ValueError, r"k is 2-D .* x is 3-D"),
    (dict(x=X3, k=np.ones((3, 3, 2, 4))), ValueError, r"k has C_in=2 .* x has 3 channel"),
    (dict(x=X, k=np.ones((3, 3, 2, 4))), ValueError, r"k has C_in=2 .* x has 1 channel"),
    (dict(x=np.ones((3, 3)), k=np.ones((5, 5))), ValueError, r"k is larger than the padded input"),
    (
        dict(x=np.ones((3, 6)), k=np.ones((2, 2)), dilation=(3, 1)),
        ValueError,
        r"k is larger .* height covers 4 .* padded input height is 3",
    ),
    (dict(x=X, k=K, stride=0), ValueError, r"stride must be an int >= 1 or a pair"),
    (dict(x=X, k=K, stride=-2), ValueError, r"stride must be"),
    (dict(x=X, k=K, stride=1.5), TypeError, r"stride must be an int >= 1"),
    (dict(x=X, k=K, stride="2"), TypeError, r"stride must be"),
    (dict(x=X, k=K, stride=True), TypeError, r"stride must be"),
    (dict(x=X, k=K, stride=(1, 2, 3)), ValueError, r"stride must be .* pair .* got \(1, 2, 3\)"),
    (dict(x=X, k=K, stride=(1, 0)), ValueError, r"stride must be"),
    (dict(x=X, k=K, stride=(1, 2.0)), TypeError, r"stride must be"),
    (dict(x=X, k=K, dilation=0), ValueError, r"dilation must be an int >= 1"),
    (dict(x=X, k=K, dilation=2.0), TypeError, r"dilation must be"),
    (dict(x=X, k=K, dilation=(2,)), ValueError, r"dilation must be .* pair"),
    (dict(x=X, k=K, padding="sme"), ValueError, r"padding must be 'valid', 'same', 'full' or an int >= 0; got 'sme'"),
    (dict(x=X, k=K, padding=-1), ValueError, r"padding must be .* int >= 0; got -1"),
    (dict(x=X, k=K, padding=1.5), TypeError, r"padding must be"),
    (dict(x=X, k=K, padding=None), TypeError, r"padding must be"),
    (dict(x=X, k=K, padding=(1, 1)), TypeError, r"padding must be"),
    (dict(x=np.array([["a", "b"], ["c", "d"]]), k=K), TypeError, r"x must hold real numbers"),
    (dict(x=np.array([[1, None], [2, 3]]), k=np.ones((1, 1))), TypeError, r"x must hold real numbers .* object"),
    (dict(x=X + 1j, k=K), TypeError, r"x must hold real numbers .* complex"),
    (dict(x=[[1, 2], [3]], k=np.ones((1, 1))), ValueError, r"x must be a rectangular numeric array"),
    (dict(x="image", k=K), TypeError, r"x must hold real numbers"),
    (dict(x=X, k=[["a"]]), TypeError, r"k must hold real numbers"),
]


@pytest.mark.parametrize("function", [conv2d, conv2d_loop, convolve2d])
@pytest.mark.parametrize("kwargs, error, message", CONV_BAD)
def test_conv_bad_input(function, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        function(**kwargs)
    assert info.value.__cause__ is None


SIZE_BAD = [
    (output_size, dict(n=0, k=3), ValueError, r"n must be an int >= 1; got 0"),
    (output_size, dict(n=5.0, k=3), TypeError, r"n must be an int"),
    (output_size, dict(n=5, k=0), ValueError, r"k must be an int >= 1; got 0"),
    (output_size, dict(n=5, k=(3, 3)), TypeError, r"k must be an int"),
    (output_size, dict(n=3, k=5), ValueError, r"k is larger than the padded input"),
    (output_size, dict(n=4, k=3, dilation=2), ValueError, r"k is larger .* covers 5"),
    (output_size, dict(n=5, k=3, stride=0), ValueError, r"stride must be an int >= 1"),
    (output_size, dict(n=5, k=3, stride=(1, 1)), TypeError, r"stride must be an int >= 1"),
    (output_size, dict(n=5, k=3, dilation=-1), ValueError, r"dilation must be an int >= 1"),
    (output_size, dict(n=5, k=3, padding="half"), ValueError, r"padding must be 'valid', 'same', 'full'"),
    (output_size, dict(n=5, k=3, padding=-2), ValueError, r"padding must be"),
    (pad_amounts, dict(n=5, k=3, padding="zeros"), ValueError, r"padding must be"),
    (pad_amounts, dict(n=5, k=3, padding=2.5), TypeError, r"padding must be"),
    (pad_amounts, dict(n=-5, k=3), ValueError, r"n must be"),
    (pad_amounts, dict(n=5, k=3, stride=0), ValueError, r"stride must be"),
    (pad_amounts, dict(n=5, k=3, dilation=1.0), TypeError, r"dilation must be"),
    (im2col, dict(x=np.ones((4, 4, 1)), kh=0, kw=2), ValueError, r"kh must be an int >= 1"),
    (im2col, dict(x=np.ones((4, 4, 1)), kh=2, kw="2"), TypeError, r"kw must be an int >= 1"),
    (im2col, dict(x=np.ones((4, 4, 1)), kh=5, kw=2), ValueError, r"k is larger than the padded input"),
    (im2col, dict(x=np.ones((1, 4, 4, 1)), kh=2, kw=2), ValueError, r"x must be \(H, W\) or \(H, W, C\)"),
    (im2col, dict(x=np.ones((4, 4, 1)), kh=2, kw=2, stride=0), ValueError, r"stride must be"),
    (im2col, dict(x=np.ones((4, 4, 1)), kh=2, kw=2, dilation=(1, 1.5)), TypeError, r"dilation must be"),
    (max_pool2d, dict(x=np.ones(4)), ValueError, r"x must be \(H, W\) or \(H, W, C\)"),
    (max_pool2d, dict(x=np.ones((0, 4))), ValueError, r"x must not be empty"),
    (max_pool2d, dict(x=np.array([["a"]])), TypeError, r"x must hold real numbers"),
    (max_pool2d, dict(x=X, size=0), ValueError, r"size must be an int >= 1 or a pair"),
    (max_pool2d, dict(x=X, size=2.5), TypeError, r"size must be"),
    (max_pool2d, dict(x=X, size=(6, 2)), ValueError, r"size 6 is larger than the input height 5"),
    (max_pool2d, dict(x=np.ones((5, 3)), size=4), ValueError, r"size 4 is larger than the input width 3"),
    (max_pool2d, dict(x=np.ones((3, 5)), size=(4, 2)), ValueError, r"size 4 is larger than the input height 3"),
    (max_pool2d, dict(x=X, stride=0), ValueError, r"stride must be an int >= 1"),
    (avg_pool2d, dict(x=X, stride="1"), TypeError, r"stride must be"),
    (avg_pool2d, dict(x=X, size=(2, 2, 2)), ValueError, r"size must be"),
    (avg_pool2d, dict(x=np.ones((2, 2, 2, 2))), ValueError, r"x must be"),
]


@pytest.mark.parametrize("function, kwargs, error, message", SIZE_BAD, ids=_ids(SIZE_BAD))
def test_other_bad_input(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(**kwargs)


# ---------------------------------------------------------------------------
# cnnbook.grad
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((3, 3))), ValueError, "dout"),
        (lambda: conv2d_backward(np.ones((3, 3, 2)), np.ones((2, 2, 3, 1)), np.ones((2, 2, 1))), ValueError, "C_in"),
        (lambda: conv2d_backward(np.ones((3, 3, 2)), np.ones((2, 2)), np.ones((2, 2))), ValueError, "k is 2-D"),
        (lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2)), stride=0), ValueError, "stride"),
        (
            lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2)), padding="half"),
            ValueError,
            "padding",
        ),
        (lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2)), padding=1.5), TypeError, "padding"),
        (lambda: conv2d_backward(np.ones((2, 2)), np.ones((3, 3)), np.ones((1, 1))), ValueError, "larger"),
        (lambda: conv2d_backward(np.array([["a"]]), np.ones((1, 1)), np.ones((1, 1))), TypeError, "x must hold"),
        (lambda: conv2d_backward(np.ones(3), np.ones((1, 1)), np.ones((1, 1))), ValueError, "x must be"),
        (lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), []), ValueError, "dout"),
        (lambda: conv2d_grad_input(np.ones((2, 2)), np.ones((2, 2)), (3, 0)), ValueError, "input_shape"),
        (lambda: conv2d_grad_kernel(np.ones((3, 3)), np.ones((2, 2)), "2x2"), TypeError, "kernel_shape must be"),
        (lambda: symbol_grid("X", 2.0, 2), TypeError, "rows must be an int from 1 to 9"),
        (lambda: symbol_grid("", 2, 2), ValueError, "name must be a non-empty str"),
        (
            lambda: symbolic_conv2d(np.ones((2, 2)), np.ones((1, 1)), padding="same"),
            ValueError,
            "padding must be 'full' or an int >= 0",
        ),
        (lambda: _numerical_gradient(np.sum, np.ones(2), eps="1e-6"), TypeError, "eps must be a finite number > 0"),
        (
            lambda: conv2d_backward(np.ones((80, 80, 3)), np.ones((64, 3, 3, 3)), np.ones((1, 1, 1))),
            ValueError,
            "k looks like PyTorch's",
        ),
        (lambda: max_pool2d_backward(np.ones((3, 28, 28)), np.ones((1, 14, 14))), ValueError, "x looks channels-first"),
        (
            lambda: insert_zeros(np.ones((3, 3)), 10**6),
            ValueError,
            r"the spread array \(2000001 x 2000001 float64\) would",
        ),
        (lambda: max_pool2d_backward(np.ones((4, 4)), np.ones((3, 3))), ValueError, "dout"),
        (lambda: max_pool2d_backward(np.ones((2, 2)), np.ones((1, 1)), size=3), ValueError, "size"),
        (lambda: avg_pool2d_backward(np.ones((4, 4)), np.ones((2, 2)), stride=0), ValueError, "stride"),
        (lambda: relu_backward(np.ones((2, 2)), np.ones((2, 3))), ValueError, "dout"),
        (lambda: _numerical_gradient("f", np.ones(2)), TypeError, "f must be"),
        (lambda: _numerical_gradient(lambda v: v, np.ones(2)), ValueError, "scalar"),
        (lambda: _numerical_gradient(np.sum, np.ones(2), eps=0.0), ValueError, "eps"),
        (lambda: check_gradient(np.sum, np.ones(2), np.ones(3)), ValueError, "analytic"),
        (lambda: insert_zeros(np.ones((2, 2)), 0), ValueError, "stride"),
        (lambda: symbol_grid("X", 10, 2), ValueError, "rows"),
        (lambda: symbolic_conv2d(np.ones((2, 2)), np.ones((3, 3))), ValueError, "larger"),
    ],
)
def test_grad_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------------------
# cnnbook.toy
# ---------------------------------------------------------------------------

TOY_BAD = [
    (toy.toy_image, dict(name="Y"), ValueError, r"name must be one of 'X', 'O'; got 'Y'"),
    (toy.toy_image, dict(name="X", shift=(0, 2)), ValueError, r"shift \(0, 2\) moves the X out of the 9x9 frame"),
    (
        toy.toy_image,
        dict(name="O", shift=(0.5, 0)),
        TypeError,
        r"shift must be an int or a pair \(rows, cols\) of ints",
    ),
    (toy.toy_image, dict(name="O", shift=(0, 0, 0)), ValueError, r"shift must be .* with 3 values"),
    (toy.filter_image, dict(image=np.ones((9, 9, 1))), ValueError, r"image must be \(rows, cols\); got 3 dims"),
    (toy.filter_image, dict(image=np.array([["a", "b"], ["c", "d"]])), TypeError, r"image must hold real numbers"),
    (toy.filter_image, dict(image=np.ones((2, 2))), ValueError, r"filters of size 3x3 do not fit"),
    (
        toy.filter_image,
        dict(image=np.ones((9, 9)), filters=np.ones((3, 3, 2, 1))),
        ValueError,
        r"filters must be .* with 2 input channels",
    ),
    (
        toy.filter_image,
        dict(image=np.ones((20, 20)), filters=np.ones((8, 1, 3, 3))),
        ValueError,
        r"filters looks like PyTorch's",
    ),
    (toy.relu, dict(x=["a"]), TypeError, r"x must hold real numbers"),
    (toy.max_pool_same, dict(x=np.ones((3, 3)), size=0), ValueError, r"size must be an int >= 1; got 0"),
    (toy.max_pool_same, dict(x=np.ones((3, 3)), size=2.0), TypeError, r"size must be an int >= 1; got 2.0"),
    (toy.max_pool_same, dict(x=np.ones(4)), ValueError, r"x must be \(H, W\) or \(H, W, C\); got 1 dims"),
    (toy.max_pool_same, dict(x=np.ones((3, 28, 28))), ValueError, r"x looks channels-first"),
    (
        toy.vote,
        dict(features=np.ones(5), weights=np.ones((4, 2))),
        ValueError,
        r"weights must have one row per feature",
    ),
    (toy.vote, dict(features=np.ones((5, 1))), ValueError, r"features must be \(n_features,\)"),
    (toy.softmax, dict(z=np.ones((2, 2))), ValueError, r"z must be a 1-D array of scores"),
    (
        toy.compare_with_slide,
        dict(computed=np.ones((2, 2)), slide=np.ones((1, 2))),
        ValueError,
        r"slide must have the shape of computed \(2, 2\); got \(1, 2\)",
    ),
    (
        toy.compare_with_slide,
        dict(computed=np.ones((2, 2)), slide=np.ones((2, 2)), decimals=-1),
        ValueError,
        r"decimals must be an int >= 0; got -1",
    ),
    (toy.format_table, dict(table=[1, 2]), ValueError, r"table must be a 2-D table \(rows, cols\); got 1 dims"),
    (toy.format_table, dict(table=[[1, 2]], decimals="2"), TypeError, r"decimals must be an int >= 0; got '2'"),
]


@pytest.mark.parametrize("function, kwargs, error, message", TOY_BAD, ids=_ids(TOY_BAD))
def test_toy_bad_input(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(**kwargs)


# ---------------------------------------------------------------------------
# cnnbook.viz
# ---------------------------------------------------------------------------

VIZ_BAD = [
    (
        viz.show_images,
        dict(images=np.zeros((2, 3, 3)), titles=["one"]),
        ValueError,
        r"titles must have one entry per image",
    ),
    (
        viz.show_images,
        dict(images=np.zeros(5)),
        ValueError,
        r"images must be \(N, H, W\) or \(N, H, W, C\); got 1 dims",
    ),
    (viz.show_images, dict(images=[]), ValueError, r"images must contain at least one image"),
    (viz.show_images, dict(images=np.zeros((2, 3, 3)), ncols=0), ValueError, r"ncols must be an int >= 1; got 0"),
    (viz.show_images, dict(images=np.zeros((2, 3, 28, 28))), ValueError, r"images\[0\] looks channels-first"),
    (viz.plot_history, dict(history=[1, 2]), TypeError, r"history must be a keras History"),
    (
        viz.plot_confusion_matrix,
        dict(y_true=[0, 1], y_pred=[0]),
        ValueError,
        r"y_pred must have the shape of y_true \(2,\)",
    ),
    (viz.plot_confusion_matrix, dict(y_true=[0.5, 1], y_pred=[0, 1]), TypeError, r"y_true must hold integers or bools"),
    (_media.array_to_png, dict(a=np.zeros((2, 2)), scale=0), ValueError, r"scale must be an int >= 1; got 0"),
    (
        _media.array_to_png,
        dict(a=np.zeros((2, 2)), compress_level=10),
        ValueError,
        r"compress_level must be an int from 0 to 9",
    ),
    (
        _media.array_to_png,
        dict(a=np.zeros((2, 2, 2))),
        ValueError,
        r"a must be \(H, W\) or \(H, W, 3\) or \(H, W, 4\); got shape \(2, 2, 2\)",
    ),
    (_media.array_to_png, dict(a=np.zeros((3, 28, 28))), ValueError, r"a looks channels-first"),
    (_media.array_to_png, dict(a=np.array([["a"]])), TypeError, r"a must hold real numbers"),
    (_media.animation_html, dict(frames=[]), ValueError, r"frames must contain at least one frame"),
    (
        _media.animation_html,
        dict(frames=[np.zeros((2, 2, 3), np.uint8)], interval=5),
        ValueError,
        r"interval must be an int >= 10; got 5",
    ),
]


@pytest.mark.parametrize("function, kwargs, error, message", VIZ_BAD, ids=_ids(VIZ_BAD))
def test_viz_bad_input(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(**kwargs)


# ---------------------------------------------------------------------------
# cnnbook.features
# ---------------------------------------------------------------------------

GREY = np.zeros((28, 28))
FEATURES_BAD = [
    (features.daisy_features, dict(images=GREY, radius=14), ValueError, r"radius=14 is too large"),
    (
        features.daisy_features,
        dict(images=GREY, normalization="L3"),
        ValueError,
        r"normalization must be one of 'l1', 'l2', 'daisy', 'off'; got 'L3'",
    ),
    (
        features.daisy_features,
        dict(images=np.zeros((2, 2, 28, 28))),
        ValueError,
        r"images must be one grey image \(H, W\) or a stack \(N, H, W\); got 4 dims",
    ),
    (features.daisy_features, dict(images=np.zeros((0, 28, 28))), ValueError, r"images must not be empty"),
    (features.daisy_features, dict(images=np.array([["a"]])), TypeError, r"images must hold real numbers"),
    (
        features.daisy_features,
        dict(images=np.full((28, 28), 200.0)),
        ValueError,
        r"images is a float image with values up to 200 .* divide it by 255",
    ),
    (
        features.daisy_features,
        dict(images=np.full((28, 28), 300)),
        ValueError,
        r"images is an integer image with values from 300 to 300 \(allowed: 0 to 255\)",
    ),
    (features.daisy_features, dict(images=GREY, step=0), ValueError, r"step must be an int >= 1; got 0"),
    (features.daisy_features, dict(images=GREY, step=2.5), TypeError, r"step must be an int >= 1; got 2.5"),
    (features.daisy_features, dict(images=GREY, rings=True), TypeError, r"rings must be an int >= 1; got True"),
    (features.daisy_features, dict(images=GREY, chunk=0), ValueError, r"chunk must be an int >= 1"),
    (features.daisy_layout, dict(image_shape=(28,)), ValueError, r"image_shape must be \(rows, cols\) of ints >= 1"),
    (features.orientation_maps, dict(images=GREY, orientations=0), ValueError, r"orientations must be an int >= 1"),
    (features.plot_daisy_layout, dict(image=GREY, centre=(9, 0)), ValueError, r"centre must be a grid position"),
    (features.plot_daisy_layout, dict(image=np.zeros((2, 28, 28))), ValueError, r"image must be a grey image \(H, W\)"),
    (features.gabor_kernel, dict(size=4), ValueError, r"size must be an odd int >= 1 .* got 4"),
    (features.gabor_kernel, dict(size=7.0), TypeError, r"size must be an int >= 1; got 7.0"),
    (features.gabor_kernel, dict(wavelength=0), ValueError, r"wavelength must be a finite number > 0; got 0.0"),
    (features.gabor_kernel, dict(sigma=-1.0), ValueError, r"sigma must be a finite number > 0; got -1.0"),
    (features.gabor_kernel, dict(theta="up"), TypeError, r"theta must be a finite number; got 'up'"),
    (features.gabor_kernel, dict(phase=float("nan")), ValueError, r"phase must be a finite number; got nan"),
    (features.filter_similarity, dict(filters=np.ones((2, 3, 3)), bank=np.ones((4, 5, 5))), ValueError, r"same kh, kw"),
    (
        features.filter_similarity,
        dict(filters=np.ones((3, 3, 2, 4)), bank=np.ones((4, 3, 3))),
        ValueError,
        r"c_in == 1",
    ),
    (
        features.filter_similarity,
        dict(filters=np.zeros((1, 3, 3)), bank=np.ones((4, 3, 3))),
        ValueError,
        r"non-zero weight",
    ),
    (
        features.filter_similarity,
        dict(filters=np.ones((3, 3)), bank=np.ones((4, 3, 3))),
        ValueError,
        r"filters must be \(n, kh, kw\) or a Keras kernel",
    ),
    (
        features.nearest_neighbours,
        dict(reference=np.ones((4, 3)), queries=np.ones((2, 2))),
        ValueError,
        r"same number of features",
    ),
    (
        features.nearest_neighbours,
        dict(reference=np.ones((4, 3)), queries=np.ones((2, 3)), k=5),
        ValueError,
        r"k must be an int from 1 to 4; got 5",
    ),
    (
        features.nearest_neighbours,
        dict(reference=np.ones((4, 3)), queries=np.ones((2, 3)), k=0),
        ValueError,
        r"k must be an int from 1 to 4; got 0",
    ),
    (
        features.nearest_neighbours,
        dict(reference=np.ones(4), queries=np.ones((2, 3))),
        ValueError,
        r"reference must be \(rows, features\); got 1 dims",
    ),
    (
        features.nearest_neighbours,
        dict(reference=np.ones((4, 3)), queries=np.array([["a", "b", "c"]])),
        TypeError,
        r"queries must hold real numbers \(int or float\)",
    ),
]


@pytest.mark.parametrize("function, kwargs, error, message", FEATURES_BAD, ids=_ids(FEATURES_BAD))
def test_features_bad_input(function, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(**kwargs)


# ---------------------------------------------------------------------------
# cnnbook.numpy_cnn
# ---------------------------------------------------------------------------

DIGITS = np.zeros((4, 8, 8, 1))
LABELS = np.array([0, 1, 2, 3])

NUMPY_CNN_BAD = [
    (lambda: numpy_cnn.Conv2D(np.ones((3, 3)), np.ones(1)), ValueError, r"kernel must be \(kh, kw, C_in, C_out\)"),
    (
        lambda: numpy_cnn.Conv2D(np.ones((3, 3, 1, 2)), np.ones(3)),
        ValueError,
        r"bias must have the shape of the kernel's filters \(C_out,\) \(2,\); got \(3,\)",
    ),
    (lambda: numpy_cnn.Conv2D(np.ones((3, 3, 1, 2)), np.ones(2), padding="half"), ValueError, r"padding must be"),
    (lambda: numpy_cnn.Dense(np.ones((3, 2)), np.ones(3)), ValueError, r"bias must have the shape of the units"),
    (lambda: numpy_cnn.MaxPool2D(0), ValueError, r"size must be an int >= 1; got 0"),
    (lambda: numpy_cnn.NumpyCNN([]), ValueError, r"layers must contain at least one layer"),
    (lambda: numpy_cnn.NumpyCNN(["relu"]), TypeError, r"layers\[0\] must be one of Conv2D, ReLU"),
    (lambda: numpy_cnn.digits_cnn(filters=0), ValueError, r"filters must be an int >= 1; got 0"),
    (lambda: numpy_cnn.digits_cnn(kernel_size=9), ValueError, r"too small"),
    (lambda: numpy_cnn.digits_cnn(input_shape=(8, 8)), ValueError, r"input_shape must be \(rows, cols, channels\)"),
    (lambda: numpy_cnn.digits_cnn().forward(np.ones((8, 8, 1))), ValueError, r"x must be a batch \(N, H, W, C\)"),
    (lambda: numpy_cnn.digits_cnn().forward(np.ones((2, 1, 8, 8))), ValueError, r"x looks channels-first"),
    (
        lambda: numpy_cnn._softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
        ValueError,
        r"labels must lie in 0..2 \(the model has 3 classes\); got 0..3",
    ),
    (
        lambda: numpy_cnn._softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
        TypeError,
        r"labels must hold integers",
    ),
    (lambda: numpy_cnn.batch_indices(10, 0, 1), ValueError, r"batch_size must be an int >= 1; got 0"),
    (
        lambda: numpy_cnn.train(numpy_cnn.digits_cnn(), DIGITS, np.zeros(3, int), 1),
        ValueError,
        r"y must have the shape of one label per example \(4,\); got \(3,\)",
    ),
    (lambda: numpy_cnn.train("model", DIGITS, LABELS, 1), TypeError, r"model must be a NumpyCNN"),
    (lambda: numpy_cnn.train(numpy_cnn.digits_cnn(), DIGITS, LABELS, 0), ValueError, r"epochs must be an int >= 1"),
    (
        lambda: numpy_cnn.train(numpy_cnn.digits_cnn(), DIGITS, LABELS, 1, log="print"),
        TypeError,
        r"log must be a callable",
    ),
    (
        lambda: numpy_cnn.train(numpy_cnn.digits_cnn(), DIGITS, np.array([0, 1, 2, 10]), 1),
        ValueError,
        r"y must lie in 0..9 \(the model has 10 classes\); got 0..10",
    ),
    (
        lambda: numpy_cnn.to_keras(
            numpy_cnn.NumpyCNN(
                [
                    numpy_cnn.Conv2D(np.ones((2, 2, 1, 1)), np.zeros(1), padding=1),
                    numpy_cnn.Flatten(),
                    numpy_cnn.Dense(np.ones((81, 2)), np.zeros(2)),
                ]
            ),
            (8, 8, 1),
        ),
        ValueError,
        r"padding",
    ),
]


@pytest.mark.parametrize("call, error, message", NUMPY_CNN_BAD)
def test_numpy_cnn_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------
# cnnbook.params
# ---------------------------------------------------------------------------

PARAMS_BAD = [
    (lambda: params.conv2d_params(0, 1, 3), ValueError, r"kernel must be an int >= 1 or a pair"),
    (lambda: params.conv2d_params(3, 1.0, 3), TypeError, r"in_channels must be an int >= 1; got 1.0"),
    (lambda: params.conv2d_params(3, 3, 4, groups=2), ValueError, r"groups must divide in_channels \(3\)"),
    (lambda: params.conv2d_params(3, 1, 3, bias=1), TypeError, r"bias must be True or False; got 1"),
    (lambda: params.dense_params(10, True), TypeError, r"units must be an int >= 1; got True"),
    (lambda: params.Conv2D(0, 3), ValueError, r"filters must be an int >= 1; got 0"),
    (lambda: params.Conv2D(8, (3, 3, 3)), ValueError, r"kernel must be .* with 3 values"),
    (lambda: params.Conv2D(8, 3, padding="full"), ValueError, r"padding must be 'valid' or 'same'; got 'full'"),
    (lambda: params.Conv2D(8, 3, stride=0), ValueError, r"stride must be an int >= 1 or a pair"),
    (lambda: params.Pool(2, kind="min"), ValueError, r"kind must be one of 'max', 'average'; got 'min'"),
    (lambda: params.GlobalPool(kind=2), TypeError, r"kind must be one of 'average', 'max'"),
    (lambda: params.Dense(10.5), TypeError, r"units must be an int >= 1; got 10.5"),
    (lambda: params.ZeroPad("1"), TypeError, r"padding must be an int >= 0 or a pair"),
    (lambda: params.ZeroPad(-1), ValueError, r"padding must be an int >= 0 or a pair"),
    (lambda: params.Dense(10, name=""), ValueError, r"name must be a non-empty str or None; got ''"),
    (lambda: params.Dense(10, name=3), TypeError, r"name must be a non-empty str or None; got 3"),
    (
        lambda: params.layer_table((28, 28), [params.Conv2D(8, 3)]),
        ValueError,
        r"layer 1 \(conv1, Conv2D\) gets a 28x28 input: Conv2D needs a \(rows, cols, channels\) input.*add the channel axis",
    ),
    (
        lambda: params.layer_table((28, 28, 1), [params.Conv1D(8, 3)]),
        ValueError,
        r"Conv1D needs a \(length, channels\) input",
    ),
    (
        lambda: params.Conv3D(8, (3, 3)),
        ValueError,
        r"kernel must be an int >= 1 or a tuple of 3 ints >= 1; got \(3, 3\)",
    ),
    (lambda: params.layer_table("28x28", [params.Flatten()]), TypeError, r"input_shape must be"),
    (
        lambda: params.layer_table((28, 28, 0), [params.Flatten()]),
        ValueError,
        r"input_shape must be .* got \(28, 28, 0\)",
    ),
    (
        lambda: params.layer_table((2, 2, 2, 2, 2), [params.Flatten()]),
        ValueError,
        r"input_shape must be .* with 5 values",
    ),
    (
        lambda: params.layer_table((28, 28, 1), [params.Flatten(), "dense"]),
        TypeError,
        r"layers\[1\] must be a layer spec",
    ),
    (lambda: params.layer_table((28, 28, 1), params.Flatten()), TypeError, r"layers must be a list of layer specs"),
    (lambda: params.layer_table((8, 8, 3), [params.Conv2D(4, 3, groups=2)]), ValueError, r"groups=2 must divide"),
    (
        lambda: params.format_table(params.layer_table((4,), [params.Dense(2)]), columns=("flops",)),
        ValueError,
        r"columns must be one of 'kind', 'output_shape'.* got 'flops'",
    ),
    (lambda: params.format_table([("conv", 1)]), TypeError, r"rows must be a list of LayerRow"),
    (lambda: params.count_weight_layers([1, 2]), TypeError, r"rows must be a list of LayerRow"),
]


@pytest.mark.parametrize("call, error, message", PARAMS_BAD)
def test_params_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_keras_models_that_cannot_be_counted():
    keras = pytest.importorskip("keras")
    with pytest.raises(TypeError, match=r"model must be a keras.Model; got list"):
        params.keras_layer_table([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"model is not built: start it with keras.Input"):
        params.keras_layer_table(keras.Sequential([keras.layers.Dense(3)]))
    with pytest.raises(ValueError, match=r"unknown size .* build the model with a fixed keras.Input"):
        params.keras_layer_table(keras.Sequential([keras.Input(shape=(None, None, 3)), keras.layers.Conv2D(2, 3)]))
    with pytest.raises(TypeError, match=r"cannot count layer .* of class LayerNormalization"):
        params.keras_layer_table(keras.Sequential([keras.Input(shape=(8, 8, 3)), keras.layers.LayerNormalization()]))


# ---------------------------------------------------------------------------
# cnnbook.architectures and the synthetic data of chapter 9 (cnnbook.data)
# ---------------------------------------------------------------------------


def _keras_input(shape=(8, 8, 4)):
    import keras

    return keras.Input(shape=shape)


ARCHITECTURES_BAD = [
    (lambda: architectures.alexnet(two_towers="yes"), TypeError, r"two_towers must be True or False; got 'yes'"),
    (
        lambda: architectures.alexnet(dropout=-0.1),
        ValueError,
        r"dropout must be a finite number from 0.0 to 1.0; got -0.1",
    ),
    (
        lambda: architectures.alexnet(input_shape=(227, 227)),
        ValueError,
        r"input_shape must be \(rows, cols, channels\)",
    ),
    (lambda: architectures.alexnet(num_classes=0), ValueError, r"num_classes must be an int >= 1; got 0"),
    (lambda: architectures.alexnet(num_classes=2.5), TypeError, r"num_classes must be an int >= 1; got 2.5"),
    (
        lambda: architectures.LocalResponseNormalization(depth_radius=-1),
        ValueError,
        r"depth_radius must be an int >= 0",
    ),
    (
        lambda: architectures.LocalResponseNormalization(bias=0),
        ValueError,
        r"bias must be a finite number > 0; got 0.0",
    ),
    (lambda: architectures.alphago_policy(filters=0), ValueError, r"filters must be an int >= 1; got 0"),
    (lambda: architectures.alphago_policy(board="19"), TypeError, r"board must be an int >= 1; got '19'"),
    (lambda: architectures.inception_block(_keras_input(), 4, 0, 4), ValueError, r"f3 must be an int >= 1; got 0"),
    (
        lambda: architectures.inception_block(_keras_input(), 4, 4, 4, pool_proj=2.0),
        TypeError,
        r"pool_proj must be an int",
    ),
    (lambda: architectures._dense_block(_keras_input(), 0, 12), ValueError, r"num_layers must be an int >= 1; got 0"),
    (lambda: architectures.residual_block(_keras_input(), 4, shortcut=1), TypeError, r"shortcut must be True or False"),
    (
        lambda: architectures.residual_block(_keras_input(), 4, name=""),
        ValueError,
        r"name must be a non-empty str; got ''",
    ),
    (lambda: architectures.resnet_block_demo((56, 56)), ValueError, r"input_shape must be \(rows, cols, channels\)"),
    (lambda: architectures.gradient_norms_by_depth(0), ValueError, r"blocks must be an int >= 1; got 0"),
    (lambda: architectures.gradient_norms_by_depth(2, batch_norm="no"), TypeError, r"batch_norm must be True or False"),
    (lambda: data._signal_shapes(2), ValueError, r"width must be an int >= 3; got 2"),
    (lambda: data.pattern_signals(1), ValueError, r"count must be an int >= 2; got 1"),
    (lambda: data.pattern_signals("10"), TypeError, r"count must be an int >= 2; got '10'"),
    (lambda: data.pattern_signals(10, length=5), ValueError, r"length must be an int >= 9; got 5"),
    (lambda: data.pattern_signals(10, noise=-1.0), ValueError, r"noise must be a finite number from 0.0 to 10.0"),
    (
        lambda: data.pattern_signals(10, amplitude=0.0),
        ValueError,
        r"amplitude must be a finite number > 0 and <= 100.0",
    ),
    (lambda: data.ball_volume(centre=(1, 2)), ValueError, r"centre must be \(depth, row, column\) of ints >= 0"),
    (lambda: data.ball_volume(centre=(1, 2, 16)), ValueError, r"centre must lie inside the volume"),
    (lambda: data.ball_volume(centre=(1, 2, -1)), ValueError, r"centre must be \(depth, row, column\) of ints >= 0"),
    (lambda: data.ball_volume(radius=0.0), ValueError, r"radius must be a finite number > 0 and <= 16.0"),
    (lambda: data.ball_volume(size=2), ValueError, r"size must be an int >= 3; got 2"),
]


@pytest.mark.parametrize("call, error, message", ARCHITECTURES_BAD)
def test_architectures_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------
# Silent cases of issue 17 that are now clear errors
# ---------------------------------------------------------------------------


def test_channels_first_image_is_not_pooled_as_three_rows():
    with pytest.raises(ValueError, match=r"x looks channels-first: shape \(3, 28, 28\).*np.moveaxis\(x, 0, -1\)"):
        max_pool2d(np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match=r"x looks channels-first"):
        conv2d(np.zeros((3, 28, 28)), np.ones((3, 3, 28, 1)))


def test_pytorch_layout_kernel_that_happens_to_fit_is_refused():
    image = np.zeros((80, 80, 3))
    kernel = np.zeros((64, 3, 3, 3))  # PyTorch (C_out, C_in, kh, kw); read as a 64 x 3 kernel it "fits"
    for function in (conv2d, conv2d_loop, convolve2d):
        with pytest.raises(ValueError, match=r"k looks like PyTorch's .* np.transpose\(k, \(2, 3, 1, 0\)\)"):
            function(image, kernel)


def test_huge_convolution_is_refused_before_allocating_with_its_size():
    image = np.broadcast_to(0.0, (10000, 10000))  # a view: the test allocates nothing large itself
    with pytest.raises(ValueError, match=r"im2col matrix of conv2d \(99960004 x 9 float64\) would need 6.7 GiB"):
        conv2d(image, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"the im2col matrix \(99960004 x 9 float64\) would need 6.7 GiB"):
        im2col(image, 3, 3)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_huge_convolution_is_refused_from_its_shape_before_any_copy(dtype, padding):
    """Issue 23: a 20000 x 20000 image of any dtype is refused before it is converted to float64.

    numpy reports its array allocations to tracemalloc, so the peak measures
    every copy the call made (converting this image would take 3.2 GB).
    """
    import tracemalloc

    image = np.broadcast_to(np.zeros((), dtype), (20000, 20000))  # a view: no memory behind it
    calls = {
        "conv2d": (lambda: conv2d(image, np.ones((3, 3)), padding=padding), r"the im2col matrix of conv2d \("),
        "conv2d_loop": (lambda: conv2d_loop(image, np.ones((3, 3)), padding=padding), r"the output of conv2d_loop \("),
        "convolve2d": (lambda: convolve2d(image, np.ones((3, 3)), padding=padding), r"the im2col matrix of conv2d \("),
        "im2col": (lambda: im2col(image, 3, 3), r"the im2col matrix \("),
    }
    for name, (call, message) in calls.items():
        if padding == "same" and name != "im2col":
            message = r"the padded input \(20002 x 20002 x 1 float64\)"  # the first array that would be too large
        tracemalloc.start()
        try:
            with pytest.raises(ValueError, match=message + r".* GiB of working memory"):
                call()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 10 * 1024**2, f"{name} allocated {peak / 1024**2:.0f} MiB before refusing the input"


def test_impossible_padding_is_a_clear_error_not_a_memory_error():
    with pytest.raises(ValueError, match=r"the padded input \(2000005 x 2000005 x 1 float64\) would need"):
        conv2d(np.ones((5, 5)), np.ones((3, 3)), padding=10**6)


def test_array_to_png_refuses_a_float_colour_image_in_0_255_instead_of_drawing_it_white():
    photo = np.full((4, 4, 3), 200.0)
    with pytest.raises(
        ValueError, match=r"a is a float image with values up to 200 .* divide it by 255 or pass it as uint8"
    ):
        _media.array_to_png(photo)


@pytest.mark.parametrize("learning_rate, error", [("0.1", TypeError), (float("nan"), ValueError), (-0.1, ValueError)])
def test_numpy_cnn_train_refuses_a_bad_learning_rate_before_training(learning_rate, error):
    model = numpy_cnn.digits_cnn()
    before = [param.copy() for param, _ in model.parameters()]
    with pytest.raises(error, match=r"learning_rate must be a finite number > 0"):
        numpy_cnn.train(model, DIGITS, LABELS, epochs=1, learning_rate=learning_rate)
    assert all(np.array_equal(a, b) for a, b in zip(before, (param for param, _ in model.parameters())))


@pytest.mark.parametrize(
    "validation_data, error, message",
    [
        (
            (np.zeros((2, 7, 7, 1)), np.array([0, 1])),
            ValueError,
            r"validation_data\[0\]\[0\] must have the shape of one training image",
        ),
        ((DIGITS, np.array([0, 1])), ValueError, r"validation_data\[1\] must have the shape of one label per example"),
        ((DIGITS,), TypeError, r"validation_data must be a pair \(x_val, y_val\)"),
        ((DIGITS, np.array([0, 1, 2, 12])), ValueError, r"validation_data\[1\] must lie in 0..9"),
    ],
)
def test_numpy_cnn_train_checks_validation_data_before_the_first_epoch(validation_data, error, message):
    lines = []
    with pytest.raises(error, match=message):
        numpy_cnn.train(
            numpy_cnn.digits_cnn(), DIGITS, LABELS, epochs=1, validation_data=validation_data, log=lines.append
        )
    assert lines == []  # no epoch ran
