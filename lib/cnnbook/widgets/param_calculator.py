"""The parameter calculator: a layer stack in, a per-layer table out (chapter 4).

The reader picks an input size and types a stack of layers, one per line::

    conv 32 5 same      # 32 filters of 5x5, "same" padding
    pool 2              # 2x2 max pooling, stride 2
    conv 64 3 stride 2  # stride 2, "valid" padding
    flatten
    dense 10

and sees each layer's output shape, parameters, activations and
multiply-adds, computed by :func:`cnnbook.params.layer_table`, and how each
parameter count is computed, e.g. ``(5*5*32+1)*64``. Everything is integer
arithmetic and an HTML table, so an update takes well under a millisecond. A
stack that cannot work (a window larger than its input, a typo) shows a
message in the widget instead of raising. The front end is one anywidget ES
module, ``js/param_calculator.js``, which parses the stack and counts in the
browser, live and in the HTML book alike; this module holds the same parser
(:func:`parse_stack`) and checks every change with
:func:`cnnbook.params.layer_table`, which the tests compare with the page.
"""

import traitlets

from .. import _checks
from ..params import Conv2D, Dense, Flatten, GlobalPool, Pool, layer_table
from ._anywidget import BookAnyWidget
from ._base import InputError

__all__ = ["ParamCalculator", "PRESETS", "parse_stack"]

#: The lectures' examples: input size, channels, whether biases count, stack.
PRESETS = {
    "Larson: 9x9 image, fully connected": dict(size=9, channels=1, bias=False, stack="flatten\ndense 20\ndense 10"),
    "Larson: 9x9 image, 3x3x3 convolution front end": dict(
        size=9, channels=1, bias=False, stack="conv 3 3 stride 3\nflatten\ndense 20\ndense 10"
    ),
    "Kuo: 200x200 image, 100 hidden units": dict(size=200, channels=1, bias=False, stack="flatten\ndense 100"),
    "Kuo: 200x200 image, 100 filters of 5x5": dict(size=200, channels=1, bias=False, stack="conv 100 5"),
    "Payberah: MNIST CNN": dict(
        size=28,
        channels=1,
        bias=True,
        stack="conv 32 5 same\npool 2\nconv 64 5 same\npool 2\nflatten\ndense 1024\ndense 10",
    ),
}

_MAX_NUMBER = 100_000  # filters, units, sizes: larger stacks are not what the lectures teach
_MAX_SIZE = 1024
_MAX_CHANNELS = 4096
_SIZED = {"conv": 2, "pool": 1, "avgpool": 1, "dense": 1, "flatten": 0, "gap": 0}
_USAGE = {
    "conv": "conv FILTERS KERNEL [stride S] [same|valid], e.g. 'conv 32 5 same'",
    "pool": "pool SIZE [stride S] [same|valid], e.g. 'pool 2'",
    "avgpool": "avgpool SIZE [stride S] [same|valid], e.g. 'avgpool 2'",
    "dense": "dense UNITS, e.g. 'dense 10'",
    "flatten": "flatten (no numbers)",
    "gap": "gap (global average pooling, no numbers)",
}


def _number(token, what, line):
    text = token.lower()
    parts = text.split("x")
    if not all(part.isdigit() for part in parts) or len(parts) > 2 or (len(parts) == 2 and what != "KERNEL"):
        raise InputError(f"{line}: {what} must be a whole number{' or RxC' if what == 'KERNEL' else ''}, got {token!r}")
    values = tuple(int(part) for part in parts)
    if min(values) < 1:
        raise InputError(f"{line}: {what} must be at least 1, got {token!r}")
    if max(values) > _MAX_NUMBER:
        raise InputError(f"{line}: {what} must be at most {_MAX_NUMBER}, got {token!r}")
    return values[0] if len(values) == 1 else values


def _parse_line(words, line, bias):
    word = words[0].lower()
    if word not in _SIZED:
        raise InputError(f"{line}: unknown layer {words[0]!r}; use one of {', '.join(_SIZED)}")
    rest = words[1:]
    stride, padding, numbers = None, "valid", []
    index = 0
    while index < len(rest):
        token = rest[index].lower()
        if token in ("same", "valid"):
            padding = token
        elif token.startswith("stride="):
            stride = _number(token[len("stride=") :], "STRIDE", line)
        elif token == "stride":
            index += 1
            stride = _number(rest[index] if index < len(rest) else "", "STRIDE", line)
        else:
            numbers.append(rest[index])
        index += 1
    if len(numbers) != _SIZED[word] or (word in ("dense", "flatten", "gap") and (stride or padding != "valid")):
        raise InputError(f"{line}: expected {_USAGE[word]}")
    if word == "conv":
        return Conv2D(
            _number(numbers[0], "FILTERS", line),
            _number(numbers[1], "KERNEL", line),
            stride=stride or 1,
            padding=padding,
            bias=bias,
        )
    if word in ("pool", "avgpool"):
        return Pool(
            _number(numbers[0], "SIZE", line),
            stride=stride,
            padding=padding,
            kind="max" if word == "pool" else "average",
        )
    if word == "dense":
        return Dense(_number(numbers[0], "UNITS", line), bias=bias)
    return Flatten() if word == "flatten" else GlobalPool()


def parse_stack(text, bias=True):
    """Layer specs from the calculator's one-layer-per-line text (chapter 4).

    Parameters
    ----------
    text : str
        Lines such as ``conv 32 5 same``, ``pool 2``, ``conv 64 3 stride 2``,
        ``avgpool 2``, ``gap``, ``flatten``, ``dense 10``; ``;`` also
        separates layers and ``#`` starts a comment.
    bias : bool, default True
        Whether convolutions and dense layers have biases.

    Returns
    -------
    list of cnnbook.params layer specs

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        For an unknown layer word or a malformed line (the message quotes the
        line and shows the expected form), or an empty stack.

    Examples
    --------
    >>> parse_stack("conv 8 3x5 stride 2 same; flatten; dense 10")
    ... # doctest: +NORMALIZE_WHITESPACE
    [Conv2D(filters=8, kernel=(3, 5), stride=(2, 2), padding='same', bias=True, dilation=(1, 1), groups=1,
            name=None), Flatten(name=None), Dense(units=10, bias=True, name=None)]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    specs = []
    for number, raw in enumerate(text.replace(";", "\n").splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if words:
            specs.append(_parse_line(words, f"line {number} ({raw.strip()!r})", bias))
    if not specs:
        raise InputError("the stack is empty: type at least one layer, e.g. 'flatten' and 'dense 10'")
    return specs


class ParamCalculator(BookAnyWidget):
    """Choose an input size and a layer stack; see parameters, activations and multiply-adds per layer.

    Chapter 4. Presets load the lectures' examples (:data:`PRESETS`). All
    counts are those of :func:`cnnbook.params.layer_table`: the front end
    (``js/param_calculator.js``) computes them in the browser, and
    :attr:`rows` holds Python's for the same settings.

    Parameters
    ----------
    preset : str, default "Payberah: MNIST CNN"
        A key of :data:`PRESETS`.

    Attributes
    ----------
    rows : list of LayerRow
        The table shown now (the last stack that worked).

    Notes
    -----
    The state is in synced traitlets, which the page's controls set:
    ``preset``, ``size``, ``channels``, ``bias`` and ``stack`` (the typed
    text). Setting one from code is checked like a control: a stack that
    cannot work shows the error (``error``) and the last table stays;
    setting ``preset`` loads its settings.
    """

    _module = "param_calculator"
    _state_traits = ("preset", "size", "channels", "bias", "stack")

    config = traitlets.Dict().tag(sync=True)
    preset = traitlets.Unicode().tag(sync=True)
    size = traitlets.Int(28).tag(sync=True)
    channels = traitlets.Int(1).tag(sync=True)
    bias = traitlets.Bool(True).tag(sync=True)
    stack = traitlets.Unicode().tag(sync=True)

    def __init__(self, preset="Payberah: MNIST CNN"):
        preset = _checks.choice(preset, "preset", tuple(PRESETS))
        start = PRESETS[preset]
        self.rows = self._table(start["size"], start["channels"], start["bias"], start["stack"])
        config = {"presets": PRESETS, "maxNumber": _MAX_NUMBER, "maxSize": _MAX_SIZE, "maxChannels": _MAX_CHANNELS}
        super().__init__(config=config, preset=preset, **start)

    @property
    def message(self):
        """The error shown now, or None."""
        return self.error or None

    @property
    def input_shape(self):
        """``(size, size, channels)`` of the table shown."""
        return (self._held["size"], self._held["size"], self._held["channels"])

    @staticmethod
    def _table(size, channels, bias, text):
        """``layer_table`` of the settings, or InputError saying why the stack does not work on that input."""
        try:
            return layer_table((size, size, channels), parse_stack(text, bias=bias))
        except (ValueError, TypeError) as error:
            raise InputError(f"This stack does not work on a {size}x{size}x{channels} input. {error}") from None

    def _validate(self, state):
        preset = _checks.choice(state["preset"], "preset", tuple(PRESETS))
        if preset != self._held["preset"]:
            state = {**state, **PRESETS[preset]}
        size = _checks.integer(state["size"], "input size", 1, _MAX_SIZE)
        channels = _checks.integer(state["channels"], "channels", 1, _MAX_CHANNELS)
        bias = _checks.boolean(state["bias"], "count biases")
        self.rows = self._table(size, channels, bias, state["stack"])
        return {"preset": preset, "size": size, "channels": channels, "bias": bias, "stack": state["stack"]}

    @classmethod
    def example(cls):
        """The calculator on Payberah's MNIST CNN."""
        return cls()

    def benchmark_actions(self):
        """Input size, channels, bias, a typed stack and a preset, each through Python's checks and table."""

        def set_value(name, value):
            return lambda: setattr(self, name, value)

        return [
            set_value("size", 64),
            set_value("size", 28),
            set_value("channels", 3),
            lambda: setattr(self, "bias", not self.bias),
            set_value("stack", "conv 16 3 same\npool 2\nconv 32 3 same\npool 2\nflatten\ndense 10"),
            set_value("preset", "Kuo: 200x200 image, 100 filters of 5x5"),
            set_value("preset", "Payberah: MNIST CNN"),
        ]
