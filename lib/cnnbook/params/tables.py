"""Layer tables: one row per layer, their totals, and the table as text or HTML.

:func:`layer_table` computes the rows from layer specs
(:mod:`cnnbook.params.specs`); :func:`cnnbook.params.keras_layer_table`
computes the same rows from a Keras model.
"""

import dataclasses
import html
import math

from .. import _checks
from .specs import _SPECS, _describe, _shape_text

__all__ = [
    "LayerRow",
    "count_activations",
    "count_weight_layers",
    "format_table",
    "layer_table",
    "totals",
]

#: Column keys of :func:`format_table` / ``_table_html`` and their headers.
_COLUMNS = {
    "kind": "kind",
    "output_shape": "output shape",
    "params": "params",
    "weights": "weights",
    "biases": "biases",
    "activations": "activations",
    "mult_adds": "mult-adds",
    "params_percent": "% params",
    "mult_adds_percent": "% mult-adds",
}
_DEFAULT_COLUMNS = ("output_shape", "params", "activations", "mult_adds")
_RESHAPE_KINDS = ("Flatten", "Reshape")

#: Row kinds whose outputs chapter 9 counts as a network's activations: the input, the layers with
#: weights and the pooling layers (batch normalisation, activations, padding, dropout and merges are not).
_COMPUTING_KINDS = (
    "InputLayer",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "Dense",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
)

#: Row kinds of a layer table that papers count as layers (chapter 9).
_WEIGHT_LAYER_KINDS = ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Dense")


@dataclasses.dataclass(frozen=True)
class LayerRow:
    """One row of a layer table (chapter 4).

    Attributes
    ----------
    name : str
        Layer name (``"input"`` for the input row).
    kind : str
        The Keras class name (``"InputLayer"``, ``"Conv2D"``, ``"MaxPooling2D"``, ...).
    output_shape : tuple of int
        Without the batch axis.
    params : int
        Numbers the layer stores (as Keras ``count_params()``).
    biases : int
        The bias part of ``params``.
    activations : int
        Numbers the layer outputs for one example.
    mult_adds : int
        Multiply-accumulate operations for one example (see the module notes).
    """

    name: str
    kind: str
    output_shape: tuple
    params: int
    biases: int
    activations: int
    mult_adds: int

    @property
    def weights(self):
        """``params - biases``."""
        return self.params - self.biases


def _input_shape(value, name="input_shape"):
    return _checks.shape(
        value,
        name,
        (1, 2, 3, 4),
        "(length,), (length, channels), (rows, cols, channels) or (depth, rows, cols, channels)",
    )


def _row(name, kind, step):
    return LayerRow(
        name, kind, tuple(step.output_shape), step.params, step.biases, math.prod(step.output_shape), step.mult_adds
    )


def _input_row(name, shape):
    return LayerRow(name, "InputLayer", tuple(shape), 0, 0, math.prod(shape), 0)


def layer_table(input_shape, layers):
    """Output shape, parameters, activations and multiply-adds of each layer (chapter 4).

    Parameters
    ----------
    input_shape : tuple of int
        ``(rows, cols, channels)`` for images, ``(length,)`` for vectors,
        ``(length, channels)`` for signals (:class:`Conv1D`) and
        ``(depth, rows, cols, channels)`` for volumes (:class:`Conv3D`).
    layers : sequence of layer specs
        :class:`Conv2D`, :class:`Conv1D`, :class:`Conv3D`,
        :class:`DepthwiseConv2D`, :class:`SeparableConv2D`,
        :class:`Pool`, :class:`GlobalPool`, :class:`Dense`, :class:`Flatten`,
        :class:`ZeroPad`, :class:`BatchNorm`, applied in order.

    Returns
    -------
    list of LayerRow
        The input row first, then one row per layer. Unnamed layers are
        called ``conv1``, ``conv2``, ``pool1``, ``dense1``, ...

    Raises
    ------
    TypeError
        If ``layers`` holds something that is not a layer spec.
    ValueError
        If a layer cannot follow the previous one: a window larger than its
        input (the spatial size would shrink below 1), a convolution or
        pooling after ``Flatten``. The message names the layer, its position
        and the shape it received.

    Examples
    --------
    >>> from cnnbook.params import Conv2D, Dense, Flatten
    >>> rows = layer_table((9, 9, 1), [Flatten(), Dense(20, bias=False), Dense(10, bias=False)])
    >>> [row.params for row in rows]
    [0, 0, 1620, 200]
    >>> layer_table((4, 4, 1), [Conv2D(8, 3), Conv2D(8, 3)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: layer 2 (conv2, Conv2D) gets a 2x2x8 input: the 3x3 kernel does not fit: ...
    """
    shape = _input_shape(input_shape)
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a list of layer specs; got {layers!r} of type {type(layers).__name__}")
    rows = [_input_row("input", shape)]
    counters = {}
    for position, layer in enumerate(layers, start=1):
        if not isinstance(layer, _SPECS):
            names = ", ".join(spec.__name__ for spec in _SPECS)
            raise TypeError(f"layers[{position - 1}] must be a layer spec ({names}); got {layer!r}")
        counters[layer.short] = counters.get(layer.short, 0) + 1
        name = layer.name or f"{layer.short}{counters[layer.short]}"
        try:
            step = layer.step(shape)
        except ValueError as error:
            raise ValueError(
                f"layer {position} ({name}, {layer.keras_class}) gets {_describe(shape)}: {error}"
            ) from None
        rows.append(_row(name, layer.keras_class, step))
        shape = step.output_shape
    return rows


def totals(rows):
    """Sums of a layer table (chapter 4).

    Parameters
    ----------
    rows : list of LayerRow

    Returns
    -------
    dict
        ``params``, ``biases``, ``weights``, ``mult_adds`` (sums over all
        rows) and ``activations`` (over all rows except ``Flatten`` and
        ``Reshape``, which only reorder their input).

    Examples
    --------
    >>> from cnnbook.params import Dense, Flatten
    >>> totals(layer_table((9, 9, 1), [Flatten(), Dense(20), Dense(10)]))["params"]
    1850
    """
    rows = _rows(rows)
    params = sum(row.params for row in rows)
    biases = sum(row.biases for row in rows)
    return {
        "params": params,
        "biases": biases,
        "weights": params - biases,
        "activations": sum(row.activations for row in rows if row.kind not in _RESHAPE_KINDS),
        "mult_adds": sum(row.mult_adds for row in rows),
    }


def _rows(rows):
    rows = list(rows)
    if not all(isinstance(row, LayerRow) for row in rows):
        raise TypeError("rows must be a list of LayerRow (from layer_table or keras_layer_table)")
    return rows


def _columns(columns):
    if isinstance(columns, str):
        columns = (columns,)
    columns = tuple(columns)
    for column in columns:
        _checks.choice(column, "columns", tuple(_COLUMNS))
    return columns


def _percent(part, whole):
    return 100.0 * part / whole if whole else 0.0


def _cells(rows, columns, total):
    """Text of every cell: header, rows, optional total; and the percentages."""
    sums = totals(rows)
    body = []
    for row in rows:
        values = {
            "kind": row.kind,
            "output_shape": _shape_text(row.output_shape),
            "params": f"{row.params:,}",
            "weights": f"{row.weights:,}",
            "biases": f"{row.biases:,}",
            "activations": f"{row.activations:,}",
            "mult_adds": f"{row.mult_adds:,}",
            "params_percent": f"{_percent(row.params, sums['params']):.1f}",
            "mult_adds_percent": f"{_percent(row.mult_adds, sums['mult_adds']):.1f}",
        }
        body.append([row.name] + [values[c] for c in columns])
    footer = None
    if total:
        values = {key: f"{sums[key]:,}" for key in ("params", "weights", "biases", "activations", "mult_adds")}
        values.update(
            kind="",
            output_shape="",
            params_percent="100.0" if sums["params"] else "0.0",
            mult_adds_percent="100.0" if sums["mult_adds"] else "0.0",
        )
        footer = ["total"] + [values[c] for c in columns]
    return ["layer"] + [_COLUMNS[c] for c in columns], body, footer


def format_table(rows, columns=_DEFAULT_COLUMNS, total=True):
    """A layer table as aligned plain text, for ``print`` (chapter 4).

    Parameters
    ----------
    rows : list of LayerRow
    columns : sequence of str, default ("output_shape", "params", "activations", "mult_adds")
        Column keys: ``kind``, ``output_shape``, ``params``,
        ``weights``, ``biases``, ``activations``, ``mult_adds``,
        ``params_percent``, ``mult_adds_percent``.
    total : bool, default True
        Add a ``total`` line (see :func:`totals` for how activations add up).

    Returns
    -------
    str

    Examples
    --------
    >>> from cnnbook.params import Dense
    >>> print(format_table(layer_table((81,), [Dense(20, bias=False)]), columns=("output_shape", "params")))
    layer   output shape  params
    input             81       0
    dense1            20   1,620
    total                  1,620
    """
    rows = _rows(rows)
    header, body, footer = _cells(rows, _columns(columns), _checks.boolean(total, "total"))
    lines = [header] + body + ([footer] if footer else [])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:])]
        text.append("  ".join(cells).rstrip())
    return "\n".join(text)


def _table_html(rows, columns=_DEFAULT_COLUMNS, total=True, caption=None):
    """A layer table as an HTML ``<table>`` (chapter 4; used by the parameter calculator).

    Percentage columns get a bar drawn behind the number, so the layer that
    holds most of the parameters (or the work) stands out.

    Parameters
    ----------
    rows : list of LayerRow
    columns : sequence of str
        As in :func:`format_table`.
    total : bool, default True
    caption : str, optional

    Returns
    -------
    str
    """
    rows = _rows(rows)
    columns = _columns(columns)
    header, body, footer = _cells(rows, columns, _checks.boolean(total, "total"))
    cell = "padding:2px 8px;border-bottom:1px solid #ddd;"
    parts = ['<table class="cnnbook-param-table" style="border-collapse:collapse;font-family:monospace;">']
    if caption:
        parts.append(f'<caption style="text-align:left;font-weight:bold;">{html.escape(caption)}</caption>')
    parts.append(
        "<thead><tr>"
        + "".join(
            f'<th style="{cell}text-align:{"left" if i == 0 else "right"};">{html.escape(text)}</th>'
            for i, text in enumerate(header)
        )
        + "</tr></thead><tbody>"
    )
    for line in body:
        tds = [f'<td style="{cell}text-align:left;">{html.escape(line[0])}</td>']
        for column, text in zip(columns, line[1:]):
            style = cell + "text-align:right;"
            if column.endswith("_percent"):
                share = float(text)
                style += f"background:linear-gradient(90deg,#9ecae1 {share:.1f}%,transparent {share:.1f}%);"
            tds.append(f'<td style="{style}">{html.escape(text)}</td>')
        parts.append("<tr>" + "".join(tds) + "</tr>")
    if footer:
        parts.append(
            "<tr>"
            + "".join(
                f'<td style="{cell}font-weight:bold;text-align:{"left" if i == 0 else "right"};">{html.escape(text)}</td>'
                for i, text in enumerate(footer)
            )
            + "</tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def count_weight_layers(rows):
    """How many layers with weights a :mod:`cnnbook.params` table lists (chapter 9).

    Counts convolution and dense rows (the "layers" of "VGG-16", "8 layers"
    for AlexNet); batch normalisation, pooling and merges are not counted.

    Parameters
    ----------
    rows : list of cnnbook.params.LayerRow

    Returns
    -------
    int
        The number of convolution and dense rows.

    Raises
    ------
    TypeError
        If ``rows`` holds something that is not a ``LayerRow``.

    Examples
    --------
    >>> from cnnbook.params import Conv2D, Dense, Flatten, Pool
    >>> count_weight_layers(layer_table((28, 28, 1), [Conv2D(8, 3), Pool(2), Flatten(), Dense(10)]))
    2
    """
    return sum(row.kind in _WEIGHT_LAYER_KINDS for row in _rows(rows))


def count_activations(rows, every_layer=False):
    """How many numbers a network's layers output for one example, by one stated convention (chapter 9).

    Frameworks store different tensors: Keras's VGG16 applies each ReLU
    inside its convolution, while ResNet50 and DenseNet121 give every
    batch normalisation and every ReLU a layer, and so a tensor, of its own.
    To compare networks, count the same tensors in each. By default this
    counts the input and the outputs of the convolutions, dense layers and
    pooling layers; batch normalisation, activations, padding, dropout,
    reshapes and merges (add, concatenate) are left out, as an inference
    engine that fuses them into the layer before would not store them.
    ``every_layer=True`` counts every layer's output instead (``Flatten``
    and ``Reshape`` aside, as :func:`totals` does).

    Parameters
    ----------
    rows : list of LayerRow
    every_layer : bool, default False

    Returns
    -------
    int
        The number of activations one example produces.

    Raises
    ------
    TypeError
        If ``rows`` holds something that is not a ``LayerRow``, or
        ``every_layer`` is not True or False.

    Examples
    --------
    >>> from cnnbook.params import BatchNorm, Conv2D, Pool
    >>> rows = layer_table((8, 8, 1), [Conv2D(4, 3, padding="same"), BatchNorm(), Pool(2)])
    >>> count_activations(rows), count_activations(rows, every_layer=True)
    (384, 640)
    """
    rows = _rows(rows)
    if _checks.boolean(every_layer, "every_layer"):
        return totals(rows)["activations"]
    return sum(row.activations for row in rows if row.kind in _COMPUTING_KINDS)
