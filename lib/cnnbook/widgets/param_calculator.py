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
message in the widget instead of raising. The HTML book shows the same
calculator in JavaScript (``js/param_calculator.js``).
"""

import html

import ipywidgets as widgets

from .. import _checks
from ..params import Conv2D, Dense, Flatten, GlobalPool, Pool, layer_table, totals
from ..params.tables import _table_html
from ._base import BookWidget, InputError, _json_for_script, _script

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

_HELP = """<div style="font-size:90%;line-height:1.4;">
One layer per line (<code>#</code> starts a comment):<br>
<code>conv FILTERS KERNEL [stride S] [same|valid]</code><br>
<code>pool SIZE [stride S] [same|valid]</code>, <code>avgpool SIZE ...</code><br>
<code>gap</code> (global average pooling), <code>flatten</code>, <code>dense UNITS</code><br>
KERNEL is <code>5</code> or <code>5x3</code>. The table updates when the box loses focus.
</div>"""

_MAX_NUMBER = 100_000  # filters, units, sizes: larger stacks are not what the lectures teach
_MAX_SIZE = 1024
_MAX_CHANNELS = 4096
_COLUMNS = ("output_shape", "params", "params_percent", "activations", "mult_adds", "mult_adds_percent")
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


def _formula(spec, before):
    """How a layer's parameter count follows from its input shape, e.g. ``(5*5*32+1)*64``.

    Parameters
    ----------
    spec : cnnbook.params layer spec
        A layer as :func:`parse_stack` returns it.
    before : tuple of int
        The shape of the layer's input (the previous row's output shape).

    Returns
    -------
    str
        The arithmetic (``"0"`` for a layer without weights).

    Examples
    --------
    >>> conv, dense = parse_stack("conv 64 5; dense 10")
    >>> _formula(conv, (14, 14, 32)), _formula(dense, (1024,))
    ('(5*5*32+1)*64', '(1024+1)*10')
    """
    if isinstance(spec, Conv2D):
        taps = f"{spec.kernel[0]}*{spec.kernel[1]}*{before[-1]}"
        return f"({taps}+1)*{spec.filters}" if spec.bias else f"{taps}*{spec.filters}"
    if isinstance(spec, Dense):
        return f"({before[-1]}+1)*{spec.units}" if spec.bias else f"{before[-1]}*{spec.units}"
    return "0"


def _summary(rows):
    sums = totals(rows)
    heaviest = max(rows, key=lambda row: row.params)
    busiest = max(rows, key=lambda row: row.mult_adds)
    parts = [f"<b>{sums['params']:,}</b> parameters"]
    if sums["params"]:
        parts[0] += f" ({100 * heaviest.params / sums['params']:.1f} % in <code>{html.escape(heaviest.name)}</code>)"
    parts.append(f"<b>{sums['mult_adds']:,}</b> multiply-adds per image")
    if sums["mult_adds"]:
        share = 100 * busiest.mult_adds / sums["mult_adds"]
        parts[-1] += f" ({share:.1f} % in <code>{html.escape(busiest.name)}</code>)"
    parts.append(
        f"<b>{sums['activations']:,}</b> activations per image ({4 * sums['activations'] / 1024:,.1f} KiB at float32)"
    )
    notes = [
        f"<code>{html.escape(row.name)}</code> acts on the last axis of a "
        f"{'x'.join(map(str, before.output_shape))} input (no <code>flatten</code> before it), as Keras does."
        for before, row in zip(rows, rows[1:])
        if row.kind == "Dense" and len(before.output_shape) == 3
    ]
    note = "".join(f'<div style="color:#8a5a00;">Note: {text}</div>' for text in notes)
    return f"<div>{'; '.join(parts)}.</div>{note}"


def _formulas_html(rows, stack):
    lines = "".join(
        f"<tr><td><code>{html.escape(row.name)}</code></td><td><code>{_formula(spec, before.output_shape)}</code>"
        f"</td><td>= {row.params:,}</td></tr>"
        for before, row, spec in zip(rows, rows[1:], stack)
    )
    return (
        '<table class="pc-formulas" style="font-family:monospace;margin-top:6px"><caption style="text-align:'
        f'left">parameters of each layer</caption>{lines}</table>'
    )


def _render(input_shape, stack):
    """``(rows, html)``: the summary line, the table and the formulas; ValueError if the stack cannot work."""
    rows = layer_table(input_shape, stack)
    return rows, _summary(rows) + _table_html(rows, columns=_COLUMNS) + _formulas_html(rows, stack)


class ParamCalculator(BookWidget):
    """Choose an input size and a layer stack; see parameters, activations and multiply-adds per layer.

    Chapter 4. Presets load the lectures' examples (:data:`PRESETS`). All
    counts come from :func:`cnnbook.params.layer_table`.

    Parameters
    ----------
    preset : str, default "Payberah: MNIST CNN"
        A key of :data:`PRESETS`.

    Attributes
    ----------
    rows : list of LayerRow or None
        The table shown now (None while the stack shows an error).
    message : str or None
        The error shown now, if any.
    """

    def __init__(self, preset="Payberah: MNIST CNN"):
        preset = _checks.choice(preset, "preset", tuple(PRESETS))
        start = PRESETS[preset]
        self.rows = None
        self._settings = dict(start)
        self.preset = widgets.Dropdown(
            options=list(PRESETS),
            value=preset,
            description="Preset",
            layout=widgets.Layout(width="32em"),
            style={"description_width": "5em"},
        )
        self.size = widgets.IntSlider(
            value=start["size"],
            min=1,
            max=256,
            description="Input size",
            continuous_update=False,
            style={"description_width": "5em"},
            layout=widgets.Layout(width="26em"),
        )
        self.channels = widgets.BoundedIntText(
            value=start["channels"], min=1, max=2048, description="Channels", layout=widgets.Layout(width="11em")
        )
        self.bias = widgets.Checkbox(
            value=start["bias"], description="Count biases", indent=False, layout=widgets.Layout(width="10em")
        )
        self.stack = widgets.Textarea(
            value=start["stack"], rows=9, continuous_update=False, layout=widgets.Layout(width="22em")
        )
        self.output = widgets.HTML()
        self._observe(self.preset, self._on_preset)
        for control in (self.size, self.channels, self.bias, self.stack):
            self._observe(control, self._on_change)
        self._assemble(
            self.preset,
            widgets.HBox([self.size, self.channels, self.bias]),
            widgets.HBox([self.stack, widgets.HTML(_HELP)]),
            self.output,
        )
        self.update()

    @property
    def message(self):
        """The error shown now, or None."""
        return self.error or None

    def state(self):
        """The settings the table shows: input size, channels, biases, the stack text."""
        return dict(self._settings)

    def _controls(self):
        return {"size": self.size, "channels": self.channels, "bias": self.bias}

    def _on_preset(self, change):
        settings = PRESETS[_checks.choice(change["new"], "preset", tuple(PRESETS))]
        with self._quietly():
            self.size.value = settings["size"]
            self.channels.value = settings["channels"]
            self.bias.value = settings["bias"]
            self.stack.value = settings["stack"]
        self.update()

    def _on_change(self, change):
        self.update()

    @property
    def input_shape(self):
        """``(size, size, channels)`` of the table shown."""
        return (self._settings["size"], self._settings["size"], self._settings["channels"])

    def update(self):
        """Recompute the table from the controls; raise InputError (the last table stays) for bad input."""
        size = _checks.integer(self.size.value, "input size", 1, _MAX_SIZE)
        channels = _checks.integer(self.channels.value, "channels", 1, _MAX_CHANNELS)
        bias = self.bias.value
        if not isinstance(bias, bool):
            raise InputError(f"count biases must be True or False; got {bias!r}")
        text = self.stack.value
        try:
            stack = parse_stack(text, bias=bias)
            self.rows, self.output.value = _render((size, size, channels), stack)
        except (ValueError, TypeError) as error:
            raise InputError(f"This stack does not work on a {size}x{size}x{channels} input. {error}") from None
        self._settings = {"size": size, "channels": channels, "bias": bias, "stack": text}

    def _build_standin(self):
        """The calculator in HTML+JavaScript (``js/param_calculator.js``), computed in the page."""
        data = {
            "presets": PRESETS,
            "size": self._settings["size"],
            "channels": self._settings["channels"],
            "bias": self._settings["bias"],
            "stack": self._settings["stack"],
            "preset": self.preset.value,
            "maxNumber": _MAX_NUMBER,
            "maxSize": _MAX_SIZE,
            "maxChannels": _MAX_CHANNELS,
        }
        return (
            '<div class="cnnbook-param-calculator" id="pc-CNNBOOKID"><noscript><p>This interactive view '
            "needs JavaScript.</p></noscript></div>"
            f'<script type="application/json" id="pc-CNNBOOKID-data">{_json_for_script(data)}</script>'
            f'<script>{_script("param_calculator")}\ncnnbookParamCalculator("pc-CNNBOOKID");</script>'
        )

    @classmethod
    def example(cls):
        """The calculator on Payberah's MNIST CNN."""
        return cls()

    def benchmark_actions(self):
        """Input size, channels, bias, a typed stack and a preset, each through to the new table."""

        def set_value(control, value):
            return lambda: setattr(control, "value", value)

        return [
            set_value(self.size, 64),
            set_value(self.size, 28),
            set_value(self.channels, 3),
            lambda: setattr(self.bias, "value", not self.bias.value),
            set_value(self.stack, "conv 16 3 same\npool 2\nconv 32 3 same\npool 2\nflatten\ndense 10"),
            set_value(self.preset, "Kuo: 200x200 image, 100 filters of 5x5"),
            set_value(self.preset, "Payberah: MNIST CNN"),
        ]
