"""Feedback on exercises and the chapters' self-test quizzes.

:func:`check` compares a student's answer to an exercise with the answer that
``cnnbook`` computes, and says whether it is right or what is wrong with it (a
shape, a sign, a factor, a flipped kernel) without printing the answer.
:func:`quiz` shows a chapter's self test with jupyterquiz, which renders in
Jupyter, Colab and the static HTML book (JavaScript, no kernel).

Every chapter ends with exercises; at least three per chapter take a checkable
answer in the cell that follows them, e.g. ``check("separable-conv-params", my_answer)``.
Their expected answers (and the mistakes students often make) are computed here,
with cnnbook, never typed.
"""

import dataclasses
import difflib
import functools
import hashlib
import html
import json
import numbers
import random

import numpy as np

__all__ = ["Verdict", "check", "compare", "multiple_choice", "numeric", "quiz"]

# Factors a student's answer is most often off by: a forgotten bias, a doubled sum, a
# missing channel count or kernel area.
_FACTORS = (2, 3, 4, 8, 9, 16, 25, 1 / 2, 1 / 3, 1 / 4, 1 / 8, 1 / 9, 1 / 16, 1 / 25)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check` or :func:`compare`: ``right`` and one sentence for the student."""

    right: bool
    message: str

    def __bool__(self):
        return self.right

    def __str__(self):
        return ("Right. " if self.right else "Not yet. ") + self.message

    def _repr_html_(self):
        colour = "#1b7f3b" if self.right else "#b00020"
        return f'<div style="border-left:4px solid {colour};padding:2px 8px"><b>{html.escape(str(self))}</b></div>'

    def __repr__(self):
        return str(self)


def _as_numbers(answer):
    """``answer`` as a float array, or a sentence saying why it is not one."""
    if isinstance(answer, str):
        return None, f"the answer is the text {answer!r}; give a number (no quotes)"
    if isinstance(answer, (bool, np.bool_)):
        return None, f"the answer is {answer!r}, a truth value; give a number"
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None, f"the answer, of type {type(answer).__name__}, is not a number or an array of numbers"
    if not np.all(np.isfinite(values)):
        return None, "the answer holds NaN or infinite values"
    return values, None


def _shape_text(shape):
    return "a single number" if shape == () else "shape " + "x".join(map(str, shape))


def _word(text):
    """A word answer as compared: without surrounding spaces or quotes, lower case."""
    return text.strip().strip("'\"").strip().lower()


def _compare_words(answer, expected, choices):
    """:func:`compare` for an answer that is one word among ``choices`` (lower case; None: any word)."""
    among = f"one of {', '.join(repr(c) for c in choices)}" if choices else "a word"
    if not isinstance(answer, str):
        return Verdict(False, f"The answer, of type {type(answer).__name__}, is not a word; give {among} in quotes.")
    if choices and _word(answer) not in choices:
        return Verdict(False, f"{answer!r} is not among the choices; give {among}.")
    if _word(answer) == _word(expected):
        return Verdict(True, "The answer matches.")
    return Verdict(False, "That is not the one: work it through once more.")


def compare(answer, expected, rtol=1e-6, atol=1e-9, choices=None):
    """Compare ``answer`` with ``expected`` (a number, an array or a word); a :class:`Verdict` that names the mistake.

    The verdict never quotes the expected values, so it can be shown to a student.
    A shape is an array of numbers, e.g. ``(4, 4, 3)``. A word (``expected`` a
    string) is compared without case or surrounding spaces; ``choices`` (lower
    case) are the words allowed, named in the verdict when the answer is none of them.

    Examples
    --------
    >>> compare(17, 17)
    Right. The answer matches.
    >>> compare(34, 17)
    Not yet. The answer is off by a factor of 2 (it is 2 times too large).
    >>> compare([[1, 2], [3, 4]], [[4, 3], [2, 1]])
    Not yet. The answer is the expected array rotated by 180 degrees: convolution and cross-correlation differ by that flip.
    >>> compare("17", 17)
    Not yet. The answer is the text '17'; give a number (no quotes).
    >>> compare(" Conv2 ", "conv2", choices=("conv1", "conv2"))
    Right. The answer matches.
    """
    if answer is None or answer is Ellipsis:
        return Verdict(False, "There is no answer yet: replace the ... (or None) with your answer and run the cell.")
    if isinstance(expected, str):
        return _compare_words(answer, expected, choices)
    got, problem = _as_numbers(answer)
    if problem:
        return Verdict(False, problem[0].upper() + problem[1:] + ".")
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        if got.size == want.size and got.ndim == want.ndim == 2 and got.T.shape == want.shape:
            if np.allclose(got.T, want, rtol=rtol, atol=atol):
                return Verdict(False, "The answer is the expected array transposed: rows and columns are swapped.")
        return Verdict(
            False, f"The answer has {_shape_text(got.shape)}; the question asks for {_shape_text(want.shape)}."
        )

    def close(a):
        return bool(np.allclose(a, want, rtol=rtol, atol=atol))

    if close(got):
        return Verdict(True, "The answer matches.")
    if close(-got):
        return Verdict(False, "The answer has the right size but the wrong sign.")
    if got.ndim >= 2 and close(np.flip(got, axis=(0, 1))):
        return Verdict(
            False,
            "The answer is the expected array rotated by 180 degrees: "
            "convolution and cross-correlation differ by that flip.",
        )
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T):
        return Verdict(False, "The answer is the expected array transposed: rows and columns are swapped.")
    for factor in _FACTORS:
        if close(got / factor):
            size = f"{factor:g} times too large" if factor > 1 else f"{1 / factor:g} times too small"
            return Verdict(
                False, f"The answer is off by a factor of {factor if factor > 1 else 1 / factor:g} (it is {size})."
            )
    if want.ndim:
        wrong = ~np.isclose(got, want, rtol=rtol, atol=atol)
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        return Verdict(False, f"{int(wrong.sum())} of {want.size} entries differ; the first at index {first}.")
    return Verdict(False, "The answer is " + ("too large." if got > want else "too small."))


@dataclasses.dataclass(frozen=True)
class _Exercise:
    """A checkable exercise: its chapter, what the answer is, and how cnnbook computes it.

    ``solve()`` returns ``(expected, mistakes)``: the right answer and a list of
    ``(wrong answer, sentence)`` pairs for the mistakes students often make; the
    sentence names the mistake without giving the answer.
    """

    chapter: int
    description: str
    solve: object
    rtol: float = 1e-6
    atol: float = 1e-9
    choices: tuple = None


# The exercises that :func:`check` knows, filled by ``_exercise`` below: id -> _Exercise.
_EXERCISES = {}


def _exercise(name, chapter, description, rtol=1e-6, atol=1e-9, choices=None):
    """Register the decorated function as the solver of exercise ``name`` (see :class:`_Exercise`)."""

    def register(solve):
        if name in _EXERCISES:
            raise ValueError(f"exercise {name!r} is registered twice")
        _EXERCISES[name] = _Exercise(chapter, description, solve, rtol, atol, choices)
        return solve

    return register


def check(exercise, answer):
    """Say whether ``answer`` is right for ``exercise`` (its id, e.g. ``"conv-stride2-output"``).

    The chapters' checkable exercises (chapters 1 to 10) end with this call.
    Returns a :class:`Verdict` (shown in the notebook): right, or what is wrong
    (a shape, a factor, a sign, a flipped kernel, or a mistake this exercise
    often sees), never the answer itself. A malformed answer gets a sentence
    that says what is wrong with it, never a traceback.

    >>> check("conv-dilated-output-size", 13)
    Not yet. That is the size for an undilated 3x3 kernel: with dilation 3 its taps are 3 pixels apart, so it spans more of the image.
    """
    if not isinstance(exercise, str) or exercise not in _EXERCISES:
        known = sorted(_EXERCISES, key=lambda name: (_EXERCISES[name].chapter, name))
        close = difflib.get_close_matches(str(exercise), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return Verdict(
            False, f"There is no checkable exercise {exercise!r}.{hint} The checkable ones are {', '.join(known)}."
        )
    entry = _EXERCISES[exercise]
    expected, mistakes = _solution(exercise)
    verdict = compare(answer, expected, rtol=entry.rtol, atol=entry.atol, choices=entry.choices)
    if verdict.right or _malformed(answer, expected, entry.choices):
        return verdict
    for wrong, sentence in mistakes:
        if compare(answer, wrong, rtol=entry.rtol, atol=entry.atol, choices=entry.choices).right:
            return Verdict(False, sentence)
    return verdict


@functools.cache
def _solution(exercise):
    """``(expected, mistakes)`` of ``exercise``, computed once (some build a Keras model)."""
    return _EXERCISES[exercise].solve()


def _malformed(answer, expected, choices):
    """Whether ``answer`` is of the wrong kind for ``expected`` (then the mistakes are not looked at)."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(expected, str):
        return not isinstance(answer, str) or (choices is not None and _word(answer) not in choices)
    return _as_numbers(answer)[1] is not None


# Chapter 1: convolution.
def _stride2_example():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0]])
    return image, kernel


@_exercise("conv-stride2-output", 1, "the 2x2 output of a 2x2 kernel on a 4x4 image at stride 2")
def _conv_stride2_output():
    from .conv import conv2d, convolve2d

    image, kernel = _stride2_example()
    return conv2d(image, kernel, stride=2), [
        (
            convolve2d(image, kernel, stride=2),
            "You flipped the kernel: that is convolution as mathematicians define it. "
            "A CNN layer slides the kernel as it is (cross-correlation).",
        ),
        (conv2d(image, kernel), "That is the stride-1 output: at stride 2 the window moves two pixels at a time."),
    ]


@_exercise("conv-dilated-output-size", 1, "the output side of a 28-pixel input, a 3x3 kernel, dilation 3, stride 2")
def _conv_dilated_output_size():
    from .conv import output_size

    return output_size(28, 3, stride=2, dilation=3), [
        (
            output_size(28, 3, stride=2),
            "That is the size for an undilated 3x3 kernel: with dilation 3 its taps are 3 pixels apart, "
            "so it spans more of the image.",
        ),
        (output_size(28, 3, dilation=3), "That is the stride-1 size: at stride 2 only every second window is kept."),
    ]


@_exercise("same-padding-stride2", 1, "(zeros before, zeros after) of 'same' padding: 8 pixels, kernel 3, stride 2")
def _same_padding_stride2():
    from .conv import pad_amounts

    before, after = pad_amounts(8, 3, stride=2, padding="same")
    return (before, after), [
        (
            pad_amounts(8, 3, stride=1, padding="same"),
            "That is the stride-1 padding. With stride 2, 'same' means ceil(n / stride) outputs: "
            "pad only as much as those windows need.",
        ),
        ((after, before), "Before and after are swapped: TensorFlow puts the odd extra zero after (bottom, right)."),
    ]


# Chapter 2: hand-made features.
@_exercise("pixel-distance-shifted-bar", 2, "(distance to the bar shifted by 1 pixel, distance to a blank image)")
def _pixel_distance_shifted_bar():
    bar = np.zeros((8, 8))
    bar[:, 3] = 1.0
    shifted = np.roll(bar, 1, axis=1)
    to_shifted, to_blank = np.linalg.norm(bar - shifted), np.linalg.norm(bar)
    return (to_shifted, to_blank), [
        ((to_shifted**2, to_blank**2), "Those are squared distances: take the square root of the sums of squares."),
        ((to_blank, to_shifted), "The two distances are swapped."),
    ]


@_exercise("sobel-step-edge", 2, "the 3x3 output of the 0-degree compass kernel on a 5x5 vertical step edge")
def _sobel_step_edge():
    from .conv import conv2d, convolve2d
    from .features import compass_kernels

    image = np.zeros((5, 5))
    image[:, 2:] = 1.0
    sobel_x = compass_kernels()[1][0]
    return conv2d(image, sobel_x), [
        (
            convolve2d(image, sobel_x),
            "You flipped the kernel (convolution); a CNN layer and chapter 2's filters slide it as it is.",
        )
    ]


@_exercise("daisy-feature-length", 2, "the DAISY feature length of a 28x28 digit with step=4 (other defaults)")
def _daisy_feature_length():
    from .features import daisy_layout

    layout = daisy_layout((28, 28), step=4)
    centres = len(layout.rows) * len(layout.cols)
    rings, histograms, orientations = len(layout.ring_radii), 6, 8
    return layout.feature_length, [
        (layout.descriptor_length, "That is the length of one descriptor: a digit has one per centre of the grid."),
        (
            centres * rings * histograms * orientations,
            "You left out the histogram at the centre of each descriptor.",
        ),
    ]


# Chapter 3: anatomy of a CNN.
@_exercise("toy-filtered-value", 3, "row 0, column 3 of the X filtered by the toy's first filter", atol=1e-3)
def _toy_filtered_value():
    from .toy import filter_image, toy_image

    value = filter_image(toy_image("X"))[0, 3, 0]
    return value, [(9 * value, "That is the sum of the nine products; the toy's filtering takes their mean.")]


@_exercise("toy-pooled-shape", 3, "the shape of the toy's pooled stack for an 11x11 picture")
def _toy_pooled_shape():
    from .conv import max_pool2d
    from .toy import toy_forward

    stages = toy_forward(np.ones((11, 11)))
    pooled = stages["pooled"].shape
    return pooled, [
        (
            max_pool2d(stages["relu"]).shape,
            "That drops the edge windows: the toy pools with 'same' padding and keeps the partial windows.",
        ),
        (
            (pooled[2], *pooled[:2]),
            "Channels first: the book (and Keras) put the channels last, (rows, cols, channels).",
        ),
    ]


_RELU_POOL_MAP = np.array([[-1.0, 2.0, 0.5], [3.0, -4.0, 1.0], [0.0, -2.0, -3.0]])


@_exercise("relu-then-pool", 3, "the 2x2 result of ReLU then 2x2 max pooling ('same') of a 3x3 map")
def _relu_then_pool():
    from .conv import max_pool2d
    from .toy import max_pool_same, relu

    return max_pool_same(relu(_RELU_POOL_MAP)), [
        (max_pool_same(_RELU_POOL_MAP), "You pooled without the ReLU first: negative values become 0 before pooling."),
        (
            max_pool2d(relu(_RELU_POOL_MAP)),
            "That drops the edge windows: 'same' pooling keeps the partial windows of the last row and column.",
        ),
    ]


# Chapter 4: counting parameters.
def _params(input_shape, layers):
    from .params import layer_table, totals

    return totals(layer_table(input_shape, layers))["params"]


@_exercise("separable-conv-params", 4, "parameters of SeparableConv2D(64, 3) on 32 channels, with biases")
def _separable_conv_params():
    from .params import Conv2D, SeparableConv2D

    shape = (16, 16, 32)
    return _params(shape, [SeparableConv2D(64, 3)]), [
        (
            _params(shape, [Conv2D(64, 3)]),
            "That is an ordinary 3x3 convolution; a separable one filters each channel alone, then mixes them with 1x1.",
        ),
        (_params(shape, [SeparableConv2D(64, 3, bias=False)]), "Count the biases too: one per output channel."),
    ]


@_exercise("grouped-conv-params", 4, "parameters of a 3x3 convolution, 64 to 128 channels, 2 groups, with biases")
def _grouped_conv_params():
    from .params import conv2d_params

    return conv2d_params(3, 64, 128, groups=2), [
        (conv2d_params(3, 64, 128), "That ignores the groups: each filter sees only the 32 channels of its own group."),
        (conv2d_params(3, 64, 128, bias=False, groups=2), "Count the biases too: one per filter."),
    ]


@_exercise("dense-after-pool-params", 4, "parameters of Dense(10) after Conv2D(16, 3) and 2x2 pooling on 28x28x1")
def _dense_after_pool_params():
    from .params import Conv2D, Dense, Flatten, Pool

    def dense(stack, bias=True):
        return _params((28, 28, 1), [*stack, Flatten(), Dense(10, bias=bias)]) - _params((28, 28, 1), stack)

    conv = [Conv2D(16, 3)]
    return dense([*conv, Pool(2)]), [
        (dense(conv), "That skips the pooling: it halves the rows and the columns before Flatten."),
        (
            dense([Conv2D(16, 3, padding="same"), Pool(2)]),
            "The convolution has no padding: a 3x3 kernel loses a pixel on each side.",
        ),
        (dense([*conv, Pool(2)], bias=False), "Count the biases too: one per output unit."),
    ]


# Chapter 5: the gradient of convolution.
def _grad_example():
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    dout = np.array([[1.0, -1.0], [2.0, 0.0]])
    return kernel, dout


@_exercise("grad-input-stride2", 5, "dL/dX (4x4) of a 2x2 kernel at stride 2, given dL/dO (2x2)")
def _grad_input_stride2():
    from .conv import conv2d
    from .grad import conv2d_grad_input

    kernel, dout = _grad_example()
    return conv2d_grad_input(kernel, dout, (4, 4), stride=2), [
        (
            conv2d_grad_input(kernel[::-1, ::-1], dout, (4, 4), stride=2),
            "Each output sends dL/dO times the kernel as it is back onto its window; the rotation belongs to the "
            "full-correlation formula, not to the window picture.",
        ),
        (
            conv2d(dout, kernel[::-1, ::-1], padding="full"),
            "That is the stride-1 formula: at stride 2, put a zero between the entries of dL/dO first.",
        ),
    ]


@_exercise("grad-kernel-2x2", 5, "dL/dK (2x2) of a 2x2 kernel on a 3x3 input, given dL/dO (2x2)")
def _grad_kernel():
    from .conv import convolve2d
    from .grad import conv2d_grad_kernel

    image, dout = np.arange(9.0).reshape(3, 3), np.array([[1.0, 2.0], [0.0, 1.0]])
    return conv2d_grad_kernel(image, dout, (2, 2)), [
        (
            convolve2d(image, dout),
            "You flipped dL/dO: the filter update correlates the input with dL/dO as it is, no rotation.",
        ),
    ]


_POOL_INPUT = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 2.0, 7.0, 1.0], [0.0, 1.0, 4.0, 4.5], [6.0, 2.0, 3.0, 2.0]])


@_exercise("maxpool-backward", 5, "dL/dX (4x4) of 2x2 max pooling, given dL/dO = [[1, 2], [3, 4]]")
def _maxpool_backward():
    from .grad import avg_pool2d_backward, max_pool2d_backward

    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    return max_pool2d_backward(_POOL_INPUT, dout), [
        (
            avg_pool2d_backward(_POOL_INPUT, dout),
            "That spreads the gradient like average pooling; max pooling sends it all to the largest input.",
        ),
    ]


# Chapter 6: a CNN in Keras.
@_exercise("lr-decay-first-epoch-below", 6, "the first epoch (counted from 0) whose decayed rate is below 1e-4")
def _lr_decay_first_epoch_below():
    from .training import decay_schedule

    schedule = decay_schedule(initial=0.01, rate=0.6)
    epoch = next(e for e in range(1000) if schedule(e) < 1e-4)
    return epoch, [
        (epoch + 1, "Epochs count from 0: the first epoch trains with the initial rate, 0.6 ** 0 = 1."),
        (
            epoch - 1,
            "In that epoch the rate is still slightly above 1e-4: compute it, do not round the logarithm down.",
        ),
    ]


@_exercise("cross-entropy-from-logits", 6, "the cross-entropy loss for logits (2.0, 1.0, 0.1) and label 0", atol=1e-3)
def _cross_entropy_from_logits():
    from .toy import softmax

    logits = np.array([2.0, 1.0, 0.1])
    loss = -np.log(softmax(logits)[0])
    return loss, [
        (loss / np.log(10), "That uses log base 10; cross-entropy uses the natural logarithm."),
        (
            -np.log(softmax(softmax(logits))[0]),
            "You applied softmax twice: that is what from_logits=True on probabilities (or False on logits) does.",
        ),
    ]


@_exercise("lecture-cnn-params-cifar", 6, "parameters of the lecture's CNN for 32x32 colour images")
def _lecture_cnn_params_cifar():
    from .models import lecture_cnn

    return lecture_cnn(input_shape=(32, 32, 3)).count_params(), [
        (lecture_cnn().count_params(), "That is the count for 28x28x1 digits: the input size changes two layers."),
        (
            lecture_cnn(input_shape=(28, 28, 3)).count_params(),
            "That keeps the 28x28 size: a 32x32 image gives an 8x8 map before Flatten.",
        ),
        (
            lecture_cnn(input_shape=(32, 32, 1)).count_params(),
            "Colour images have 3 channels: the first layer's filters are 3 deep.",
        ),
    ]


# Chapter 7: data augmentation.
@_exercise("translation-pixel-range", 7, "the largest shift in pixels of RandomTranslation(0.15, ...) on 40 rows")
def _translation_pixel_range():
    from .augment import augmentation_ranges

    shift = augmentation_ranges((40, 40), height_factor=0.15)["max_shift_rows"]
    return shift, [(2 * shift, "That is the width of the range; the shift goes from minus to plus this number.")]


@_exercise("rotation-degrees", 7, "the largest angle in degrees of RandomRotation(0.1)")
def _rotation_degrees():
    from .augment import augmentation_ranges

    degrees = augmentation_ranges((28, 28), rotation=0.1)["max_degrees"]
    return degrees, [
        (degrees / 2, "Keras's rotation factor is a fraction of a full turn (360 degrees), not of half a turn."),
        (np.degrees(0.1), "The factor is not an angle in radians: it is a fraction of a full turn."),
    ]


@_exercise("contrast-factor-range", 7, "(lowest, highest) contrast factor RandomContrast(0.2) draws", atol=1e-6)
def _contrast_factor_range():
    from .augment import contrast_factor_range

    low, high = contrast_factor_range(0.2)
    return (low, high), [
        ((1 - (high - 1), high), "That is the documented range; check what the installed Keras draws (chapter 7.1)."),
    ]


# Chapter 8: transfer learning.
@_exercise("frozen-trainable-params", 8, "trainable parameters of chapter 8's small CNN frozen up to 'p2'")
def _frozen_trainable_params():
    from .models import small_cnn
    from .transfer import freeze

    model = small_cnn(num_classes=10, filters=(16, 32), dense=64)
    freeze(model, up_to="p2")
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return trainable, [
        (model.count_params(), "That is every parameter: frozen layers keep theirs but do not train them."),
        (
            model.count_params() - trainable,
            "Those are the frozen parameters; the question asks for the trainable ones.",
        ),
    ]


@_exercise("new-head-params", 8, "parameters of a new 5-class head on chapter 8's small CNN cut at 'dense'")
def _new_head_params():
    from .models import small_cnn
    from .transfer import transfer_model

    pretrained = small_cnn(num_classes=10, filters=(16, 32), dense=64)
    model = transfer_model(pretrained, num_classes=5, last_layer="dense", pretrained_weights=False)
    head = model.layers[-1]
    units = pretrained.get_layer("dense").units
    return head.count_params(), [
        (units * 5, "Count the biases too: one per class."),
        (pretrained.layers[-1].count_params(), "That is the old 10-class head; the new one has 5 classes."),
    ]


@_exercise(
    "frozen-batchnorm-mean", 8, "the output mean of a fresh, frozen BatchNormalization on a batch of mean 5", atol=0.01
)
def _frozen_batchnorm_mean():
    import keras

    batch = np.linspace(2.0, 8.0, 256, dtype="float32").reshape(-1, 1)  # mean 5
    layer = keras.layers.BatchNormalization()
    layer.build(batch.shape)
    layer.trainable = False
    frozen = float(np.mean(np.asarray(layer(batch, training=True))))
    layer.trainable = True
    trainable = float(np.mean(np.asarray(layer(batch, training=True))))
    return frozen, [
        (
            trainable,
            "That is what a trainable layer does in training (it uses the batch's mean). A frozen one "
            "runs in inference mode with its moving statistics, even with training=True.",
        )
    ]


# Chapter 9: architectures.
@_exercise("receptive-field-stack", 9, "the receptive field of three 3x3 convs, a 2x2 pool and two 3x3 convs")
def _receptive_field_stack():
    import keras

    from .interpret import receptive_fields

    stack = [keras.layers.Conv2D(1, 3) for _ in range(3)] + [keras.layers.MaxPooling2D(2)]
    stack += [keras.layers.Conv2D(1, 3) for _ in range(2)]
    model = keras.Sequential([keras.Input((64, 64, 1)), *stack])
    fields = list(receptive_fields(model).values())
    field = fields[-1][0]
    ignoring_jump = fields[3][0] + 2 * 2
    return field, [
        (
            ignoring_jump,
            "After the pooling, neighbouring outputs lie 2 input pixels apart: each later 3x3 layer widens the "
            "field by 2 x 2 pixels, not 2.",
        ),
        (
            5 * 3 + 2,
            "Kernel sizes do not add up: each 3x3 layer widens the field by k - 1 = 2 steps of the layer below.",
        ),
    ]


@_exercise("bottleneck-params", 9, "weights of a ResNet bottleneck 256 -> 64 -> 64 -> 256 channels, no biases")
def _bottleneck_params():
    from .params import Conv2D

    shape = (14, 14, 256)
    bottleneck = [Conv2D(64, 1, bias=False), Conv2D(64, 3, padding="same", bias=False), Conv2D(256, 1, bias=False)]
    with_biases = [Conv2D(64, 1), Conv2D(64, 3, padding="same"), Conv2D(256, 1)]
    return _params(shape, bottleneck), [
        (_params(shape, with_biases), "The question counts weights only: leave out the biases."),
        (
            _params(shape, [Conv2D(64, 3, padding="same", bias=False)] * 3),
            "Only the middle layer is 3x3; the first and last are 1x1.",
        ),
    ]


@_exercise("inverted-residual-params", 9, "weights of an inverted residual: 1x1 16->96, depthwise 3x3, 1x1 96->24")
def _inverted_residual_params():
    from .params import Conv2D, DepthwiseConv2D

    shape = (28, 28, 16)
    expand, project = Conv2D(96, 1, bias=False), Conv2D(24, 1, bias=False)
    return _params(shape, [expand, DepthwiseConv2D(3, padding="same", bias=False), project]), [
        (
            _params(shape, [expand, Conv2D(96, 3, padding="same", bias=False), project]),
            "That counts an ordinary 3x3 convolution in the middle; a depthwise one has a single 3x3 filter "
            "per channel.",
        ),
    ]


# Chapter 10: what has a CNN learned?
_LECTURE_CNN_LAYERS = ("conv1", "p1", "conv2", "p2")


@_exercise(
    "first-layer-seeing-half",
    10,
    "the first layer of the lecture's CNN whose field is at least 14 pixels",
    choices=_LECTURE_CNN_LAYERS,
)
def _first_layer_seeing_half():
    from .interpret import receptive_fields
    from .models import lecture_cnn

    fields = receptive_fields(lecture_cnn())
    first = next(name for name, (field, _) in fields.items() if field >= 14)
    return first, [
        (name, "That layer's field is still smaller than 14 pixels.") for name in fields if fields[name][0] < 14
    ]


def _fgsm_example():
    image = np.array([0.0, 0.5, 0.99, 0.3])
    gradient = np.array([0.2, -0.1, 0.3, 0.0])
    return image, gradient, 0.05


@_exercise("fgsm-step", 10, "one FGSM step with epsilon 0.05 on four pixel values", atol=1e-6)
def _fgsm_step():
    image, gradient, epsilon = _fgsm_example()
    return np.clip(image + epsilon * np.sign(gradient), 0, 1), [
        (image + epsilon * np.sign(gradient), "Clip the result to the pixel range [0, 1]."),
        (
            np.clip(image + epsilon * gradient, 0, 1),
            "FGSM steps by epsilon times the sign of the gradient, not the gradient.",
        ),
        (
            np.clip(image - epsilon * np.sign(gradient), 0, 1),
            "FGSM raises the loss: step along the gradient's sign, not against it.",
        ),
    ]


def _grad_cam_example():
    maps = np.array([[[1.0, 0.0], [2.0, 1.0]], [[0.0, 3.0], [1.0, 1.0]]])  # (channel, row, col)
    gradients = np.array([[[0.5, 0.5], [0.5, 0.5]], [[-0.2, 0.0], [-0.4, -0.2]]])
    return maps, gradients


@_exercise("grad-cam-by-hand", 10, "the 2x2 Grad-CAM map (before scaling to a peak of 1) of two 2x2 channels")
def _grad_cam_by_hand():
    maps, gradients = _grad_cam_example()
    weights = gradients.mean(axis=(1, 2))
    weighted = np.tensordot(weights, maps, axes=1)
    return np.maximum(weighted, 0), [
        (weighted, "Grad-CAM keeps only the places that raise the score: apply a ReLU to the weighted sum."),
        (
            np.maximum((gradients * maps).sum(axis=0), 0),
            "Weight each channel by its mean gradient (one number per channel), not pixel by pixel.",
        ),
    ]


_QUESTION_TYPES = {"multiple_choice", "many_choice", "numeric"}


def multiple_choice(question, *answers):
    """A quiz question (for :func:`quiz`) with one or more right answers among ``answers``.

    Each answer is ``(text, correct, feedback)``; the feedback shows when the reader picks it.

    >>> q = multiple_choice("Has max pooling weights?", ("No", True, "Right."), ("Yes", False, "It has none."))
    >>> q["type"], [a["correct"] for a in q["answers"]]
    ('multiple_choice', [True, False])
    """
    rows = [{"answer": text, "correct": bool(correct), "feedback": feedback} for text, correct, feedback in answers]
    kind = "many_choice" if sum(a["correct"] for a in rows) > 1 else "multiple_choice"
    return {"question": question, "type": kind, "answers": rows}


def numeric(question, value, feedback, mistakes=(), hint="Not quite: work it through once more."):
    """A quiz question (for :func:`quiz`) whose answer is the number ``value``.

    ``mistakes`` are ``(wrong value, feedback)`` pairs for the answers students
    often give; any other answer gets ``hint``.

    >>> q = numeric("Parameters of a 3x3 filter with a bias?", 10, "Right.", [(9, "Add the bias.")])
    >>> [a.get("value") for a in q["answers"]]
    [10, 9, None]
    """

    def plain(number):  # numpy scalars as Python numbers, so the quiz can be written as JSON
        return number.item() if isinstance(number, np.generic) else number

    answers = [{"type": "value", "value": plain(value), "correct": True, "feedback": feedback}]
    answers += [{"type": "value", "value": plain(w), "correct": False, "feedback": text} for w, text in mistakes]
    answers.append({"type": "default", "feedback": hint})
    return {"question": question, "type": "numeric", "answers": answers}


def _quiz_problems(questions):
    """What is wrong with a list of jupyterquiz questions, as sentences (empty when nothing)."""
    if not isinstance(questions, list) or not questions:
        return ["questions must be a non-empty list of dicts"]
    problems = []
    for n, q in enumerate(questions, 1):
        if not isinstance(q, dict):
            problems.append(f"question {n} is a {type(q).__name__}, not a dict")
            continue
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            problems.append(f"question {n} has no 'question' text")
        if q.get("type") not in _QUESTION_TYPES:
            problems.append(f"question {n} has type {q.get('type')!r}; allowed: {sorted(_QUESTION_TYPES)}")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, dict) for a in answers):
            problems.append(f"question {n} needs a non-empty list of answer dicts")
            continue
        if not any(a.get("correct") for a in answers):
            problems.append(f"question {n} has no answer marked correct")
        for a in answers:
            if (
                q.get("type") == "numeric"
                and a.get("type") != "default"
                and not (isinstance(a.get("value"), numbers.Real) or isinstance(a.get("range"), list))
            ):
                problems.append(f"question {n}: a numeric answer needs a 'value' or a 'range' (or type 'default')")
            if not isinstance(a.get("feedback"), str):
                problems.append(f"question {n}: every answer needs 'feedback' text")
    return problems


def quiz(questions):
    """Show a self-test quiz: jupyterquiz ``questions`` with per-answer feedback.

    ``questions`` is a list of dicts in jupyterquiz's format
    (``{"question": ..., "type": "multiple_choice" | "many_choice" | "numeric",
    "answers": [{"answer" or "value": ..., "correct": bool, "feedback": ...}]}``).
    The quiz works in Jupyter, Colab and the HTML book. Its element id comes from
    the questions, so re-running an unchanged chapter stores the same output.
    Each chapter's self test uses it.
    """
    problems = _quiz_problems(questions)
    if problems:
        raise ValueError("quiz: " + "; ".join(problems))
    from jupyterquiz import display_quiz

    key = hashlib.sha256(json.dumps(questions, sort_keys=True).encode()).hexdigest()
    state = random.getstate()
    random.seed(key)  # jupyterquiz draws its element id and answer order from `random`
    try:
        display_quiz(questions, shuffle_answers=False)
    finally:
        random.setstate(state)
