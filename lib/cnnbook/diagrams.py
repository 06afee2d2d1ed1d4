"""Diagrams of networks and of the convolution itself, drawn by code from the models.

Every diagram of the book comes from here, in one style (matplotlib), and
each function returns ``(figure, alt)``: the figure and a sentence that
describes it for readers who cannot see it. A chapter cell draws the figure
and carries ``alt`` in its ``mystnb.image.alt`` metadata.

- :func:`tensor_diagram`: a chain of layers as tensors, drawn as
  channels x rows x columns blocks (the lecture's order), with each layer's
  parameter count on the arrow into its output (chapters 3 and 9);
- :func:`block_diagram`: a Keras model with branches and merges (an
  Inception module, a residual block, a dense block) as a graph of layers
  (chapter 9);
- :func:`architecture_diagram`: the classic families by name (chapter 9);
- :func:`convolution_matrix` and :func:`convolution_matrix_diagram`: a
  convolution written as one sparse, weight-shared matrix (chapters 1 and 5).

Shapes and counts come from :mod:`cnnbook.params` (``layer_table`` and
``keras_layer_table``) and :mod:`cnnbook.conv`; nothing on a diagram is typed in.
"""

import math

import numpy as np

from . import _checks, conv, params
from .params.keras_bridge import _graph

__all__ = [
    "ARCHITECTURES",
    "tensor_diagram",
    "block_diagram",
    "architecture_diagram",
    "convolution_matrix",
    "convolution_matrix_diagram",
]

#: Names accepted by :func:`architecture_diagram`.
ARCHITECTURES = (
    "LeNet-5",
    "AlexNet",
    "VGG-16",
    "Inception module",
    "residual block",
    "bottleneck block",
    "dense block",
)

# One style for every diagram: a colour per kind of layer, one font size.
_COLOURS = {
    "InputLayer": "#d9d9d9",
    "Conv2D": "#9ecae1",
    "DepthwiseConv2D": "#9ecae1",
    "SeparableConv2D": "#9ecae1",
    "MaxPooling2D": "#fdd0a2",
    "AveragePooling2D": "#fdd0a2",
    "GlobalAveragePooling2D": "#fdd0a2",
    "GlobalMaxPooling2D": "#fdd0a2",
    "Dense": "#a1d99b",
    "Flatten": "#e5e5e5",
    "BatchNormalization": "#dadaeb",
    "Concatenate": "#fcbba1",
    "Add": "#fcbba1",
}
_OTHER_COLOUR = "#f0f0f0"
_SHORT_KINDS = {
    "BatchNormalization": "BN",
    "MaxPooling2D": "MaxPool",
    "AveragePooling2D": "AvgPool",
    "Concatenate": "Concat",
    "InputLayer": "Input",
    "LocalResponseNormalization": "LRN",
}
_FONT = 8
# Diagrams are drawn at this resolution and at most _WIDTH inches wide, so that the page (a column of
# about 700 px) shows them at their natural size and their text at its point size.
_DPI = 96
_WIDTH = 7.2


# ---------------------------------------------------------------------------
# Shapes and words
# ---------------------------------------------------------------------------


def _shape_words(shape):
    """``(rows, cols, channels)`` as the lecture writes it, channels first."""
    if len(shape) == 3:
        rows, cols, channels = shape
        return f"{channels}x{rows}x{cols}"
    return "x".join(str(n) for n in shape)


def _count(n):
    return f"{n:,} parameter" + ("" if n == 1 else "s")


def _kind_words(kinds):
    """``["Conv2D", "Conv2D", "ReLU"]`` -> ``"2 Conv2D + ReLU"`` (long kinds shortened)."""
    parts = []
    for kind in kinds:
        if parts and parts[-1][0] == kind:
            parts[-1][1] += 1
        else:
            parts.append([kind, 1])
    return " + ".join(
        _SHORT_KINDS.get(kind, kind) if n == 1 else f"{n} {_SHORT_KINDS.get(kind, kind)}" for kind, n in parts
    )


def _rows_of(model_or_shape, layers):
    """Layer rows from a Keras model, or from an input shape and layer specs."""
    if layers is None:
        try:
            import keras
        except ImportError:  # pragma: no cover - keras ships with the book
            keras = None
        if keras is None or not isinstance(model_or_shape, keras.Model):
            raise TypeError(
                "model must be a keras.Model, or pass input_shape and a list of layer specs "
                f"as layers; got {type(model_or_shape).__name__}"
            )
        return params.keras_layer_table(model_or_shape)
    return params.layer_table(model_or_shape, layers)


def _stages(rows):
    """Group rows into drawn tensors.

    A layer that keeps the shape joins the previous stage if it has no
    parameters or is of the same kind as the stage's last layer.

    Returns a list of dicts with the tensor ``shape``, the ``names`` and
    ``kinds`` of the layers that produced it and their summed ``params``.
    """
    stages = [{"shape": rows[0].output_shape, "names": [rows[0].name], "kinds": [rows[0].kind], "params": 0}]
    for row in rows[1:]:
        same_shape = row.output_shape == stages[-1]["shape"] and len(stages) > 1
        if same_shape and (row.params == 0 or row.kind == stages[-1]["kinds"][-1]):
            stages[-1]["names"].append(row.name)
            stages[-1]["kinds"].append(row.kind)
            stages[-1]["params"] += row.params
        else:
            stages.append({"shape": row.output_shape, "names": [row.name], "kinds": [row.kind], "params": row.params})
    return stages


# ---------------------------------------------------------------------------
# Chains of tensors
# ---------------------------------------------------------------------------


def _text_width(text, size=_FONT, bold=False):
    """Width of ``text`` in inches, as matplotlib draws it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    properties = FontProperties(size=size, weight="bold" if bold else "normal")
    return TextPath((0, 0), text, prop=properties).get_extents().width / 72


def _figure(width, height):
    """A figure ``width`` x ``height`` inches whose one axes spans it, in inch coordinates."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width, height), dpi=_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _wrapped_title(text, width, size=_FONT + 1):
    """``text`` broken into lines that fit ``width`` inches."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if line and _text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return "\n".join(lines + [line])


def _block_size(shape, largest_side, largest_channels, largest_length):
    """Front width, height and depth (inches) of the block that stands for ``shape``."""
    if len(shape) == 3:
        rows, _, channels = shape
        height = 0.3 + 0.9 * math.sqrt(rows / largest_side)
        depth = 0.06 + 0.3 * math.log1p(channels) / math.log1p(largest_channels)
        return 0.14, height, depth
    length = math.prod(shape)
    return 0.08, 0.3 + 0.9 * math.log1p(length) / math.log1p(largest_length), 0.0


def _draw_block(ax, x, y, width, height, depth, colour):
    """A box with its front face centred on height ``y``; with ``depth``, a top and a side face too."""
    from matplotlib.patches import Polygon, Rectangle

    bottom = y - height / 2
    ax.add_patch(Rectangle((x, bottom), width, height, facecolor=colour, edgecolor="0.25", linewidth=0.8))
    if depth:
        lift = depth * 0.6
        top = bottom + height
        right = x + width
        faces = (  # the top face, then the right side, lit less
            ([(x, top), (x + depth, top + lift), (x + depth + width, top + lift), (right, top)], 0.8),
            ([(right, bottom), (right + depth, bottom + lift), (right + depth, top + lift), (right, top)], 0.6),
        )
        for corners, alpha in faces:
            ax.add_patch(Polygon(corners, closed=True, facecolor=colour, edgecolor="0.25", linewidth=0.8, alpha=alpha))


def _chain_layout(items, width):
    """Place the blocks of a chain in rows that fit ``width`` inches.

    ``items`` are dicts with the block's ``drawn`` width, its ``label`` width
    (the widest text under it) and the ``gap`` the arrow into it needs (0
    for the first). Returns, per item, ``(row, left edge)``; a row after the
    first starts with the arrow into its first block.
    """
    margin, spacing = 0.08, 0.1
    placed, row, x, label_right = [], 0, margin, margin - spacing
    for index, item in enumerate(items):
        for attempt in (0, 1):
            left = x + item["gap"]
            centre = left + item["drawn"] / 2
            overlap = (label_right + spacing) - (centre - item["label"] / 2)
            if overlap > 0:
                left += overlap
            right = max(left + item["drawn"], left + item["drawn"] / 2 + item["label"] / 2)
            if right <= width - margin or attempt or x == margin:
                break
            row, x, label_right = row + 1, margin, margin - spacing  # start a new row
        placed.append((row, left))
        x = left + item["drawn"]
        label_right = left + item["drawn"] / 2 + item["label"] / 2
    return placed


def tensor_diagram(model, layers=None, title=None):
    """Draw a chain of layers as channels x rows x columns blocks (chapters 3 and 9).

    Each tensor between two layers is a block whose height grows with its
    rows and whose depth grows with its channels; vectors are thin bars.
    Under each block: its shape in the lecture's order, channels x rows x
    columns (Keras stores the same numbers channels-last), and the name of
    the layer that made it. A long chain wraps onto further rows, so that
    the figure fits the book's column (7.2 inches at 96 dpi) with its text
    at 8 points or more and no two labels overlapping. On each arrow:
    the layer(s) that made the next tensor and their parameter count,
    computed by :func:`cnnbook.params.layer_table` or
    :func:`cnnbook.params.keras_layer_table`. A layer that keeps the shape
    of the tensor before it and either has no parameters (an activation,
    dropout) or repeats the previous layer's kind (VGG's second 3x3
    convolution of a stage) is folded into the arrow before it, which then
    names all of its layers and adds their counts.

    Parameters
    ----------
    model : keras.Model or tuple of int
        A built Keras model whose layers form one chain, or the input shape
        ``(rows, cols, channels)`` when ``layers`` is given.
    layers : sequence of cnnbook.params layer specs, optional
        The layers, when ``model`` is an input shape.
    title : str, optional
        Defaults to the model's name, or "Network" for specs.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt : str
        A description of the diagram: every tensor's shape, every arrow's
        layers and parameters, and the total.

    Raises
    ------
    TypeError
        If ``model`` is neither a Keras model nor (with ``layers``) an input
        shape, or ``title`` is not a string.
    ValueError
        As :func:`cnnbook.params.layer_table` for a stack that does not fit;
        for a Keras model with branches or merges (use :func:`block_diagram`).

    Examples
    --------
    >>> from cnnbook.params import Conv2D, Dense, Flatten, Pool
    >>> figure, alt = tensor_diagram((28, 28, 1), [Conv2D(32, 5, padding="same"), Pool(2), Flatten(), Dense(10)])
    >>> alt  # doctest: +ELLIPSIS
    'Diagram of Network as tensors: input 1x28x28; conv1 (Conv2D, 832 parameters) gives 32x28x28; ...'
    """
    rows = _rows_of(model, layers)
    if layers is None:
        order, parents = _graph(model)
        branching = [name for previous, name in zip(order, order[1:]) if parents[name] not in ([previous], [])]
        if branching:
            raise ValueError(
                f"model {model.name!r} is not a chain of layers (layer {branching[0]!r} does not "
                "read only the layer before it): draw it with block_diagram"
            )
    if title is None:
        title = getattr(model, "name", None) if layers is None else "Network"
    if not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {title!r}")
    stages = _stages(rows)
    images = [s["shape"] for s in stages if len(s["shape"]) == 3]
    vectors = [s["shape"] for s in stages if len(s["shape"]) != 3]
    largest_side = max((shape[0] for shape in images), default=1)
    largest_channels = max((shape[2] for shape in images), default=1)
    largest_length = max((math.prod(shape) for shape in vectors), default=2)

    items = []
    for index, stage in enumerate(stages):
        front, height, depth = _block_size(stage["shape"], largest_side, largest_channels, largest_length)
        # Under the block: the last layer of the arrow's main kind (conv4 of "conv3, conv4"; fc6 of "fc6, dropout6").
        name = [n for n, kind in zip(stage["names"], stage["kinds"]) if kind == stage["kinds"][0]][-1]
        texts = {"shape": _shape_words(stage["shape"]), "name": name}
        label = max(_text_width(texts["shape"], bold=True), _text_width(texts["name"]))
        arrow = {}
        if index:
            arrow = {"kinds": _kind_words(stage["kinds"]), "params": f"{stage['params']:,}"}
        gap = max([0.45] + [_text_width(text) + 0.14 for text in arrow.values()])
        items.append(
            {
                "front": front,
                "height": height,
                "depth": depth,
                "drawn": front + depth,
                "label": label,
                "gap": gap if index else 0.0,
                "texts": texts,
                "arrow": arrow,
            }
        )
    width = _WIDTH
    places = _chain_layout(items, width)
    if places[-1][0] == 0:  # one row: no wider than it needs
        width = min(width, max(left + item["drawn"] / 2 + item["label"] / 2 for item, (_, left) in zip(items, places)))
        width += 0.1
    n_rows = places[-1][0] + 1
    line = _FONT * 1.45 / 72  # one line of text, in inches
    above = [max(i["height"] / 2 + 0.6 * i["depth"] for i, p in zip(items, places) if p[0] == r) for r in range(n_rows)]
    below = [max(i["height"] / 2 for i, p in zip(items, places) if p[0] == r) for r in range(n_rows)]
    heading = _wrapped_title(
        f"{title}: {params.totals(rows)['params']:,} parameters (blue numbers: parameters of each arrow's layers)",
        width - 0.2,
    )
    title_height = (heading.count("\n") + 1) * (_FONT + 1) * 1.45 / 72 + 0.1
    row_heights = [a + max(b, 0.2) + 2 * line + 0.15 for a, b in zip(above, below)]
    fig, ax = _figure(width, title_height + sum(row_heights) + 0.05)
    height = title_height + sum(row_heights) + 0.05
    ax.text(width / 2, height - 0.05, heading, ha="center", va="top", fontsize=_FONT + 1)
    centres, top = [], height - title_height
    for r in range(n_rows):
        centres.append(top - above[r] - 0.05)
        top -= row_heights[r]
    for item, (row, left) in zip(items, places):
        y = centres[row]
        colour = _COLOURS.get(stages[items.index(item)]["kinds"][0], _OTHER_COLOUR)
        _draw_block(ax, left, y, item["front"], item["height"], item["depth"], colour)
        centre = left + item["drawn"] / 2
        label_top = y - max(below[row], 0.2) - 0.04
        ax.text(centre, label_top, item["texts"]["shape"], ha="center", va="top", fontsize=_FONT, fontweight="bold")
        ax.text(centre, label_top - line, item["texts"]["name"], ha="center", va="top", fontsize=_FONT, color="0.35")
        if item["arrow"]:
            start, end = left - item["gap"] + 0.04, left - 0.04
            ax.annotate(
                "", xy=(end, y), xytext=(start, y), arrowprops={"arrowstyle": "->", "color": "0.2", "linewidth": 1.0}
            )
            middle = (start + end) / 2
            ax.text(middle, y + 0.04, item["arrow"]["kinds"], ha="center", va="bottom", fontsize=_FONT)
            ax.text(middle, y - 0.04, item["arrow"]["params"], ha="center", va="top", fontsize=_FONT, color="#08519c")

    total = params.totals(rows)["params"]
    steps = [f"input {_shape_words(stages[0]['shape'])}"]
    for stage in stages[1:]:
        names = ", ".join(stage["names"])
        steps.append(
            f"{names} ({_kind_words(stage['kinds'])}, {_count(stage['params'])}) gives {_shape_words(stage['shape'])}"
        )
    alt = (
        f"Diagram of {title} as tensors: "
        + "; ".join(steps)
        + f". {total:,} parameters in all. Image tensors are written channels x rows x columns."
    )
    return fig, alt


# ---------------------------------------------------------------------------
# Graphs of layers
# ---------------------------------------------------------------------------


def block_diagram(model, title=None):
    """Draw a Keras model with branches and merges as a graph of layers (chapter 9).

    Layers are boxes placed top to bottom by their depth in the graph (the
    longest path from the input), branches side by side. Each box shows the
    layer's name and kind, its output shape as channels x rows x columns and
    its parameter count from :func:`cnnbook.params.keras_layer_table`.
    Arrows follow the model's connections, so a skip connection is the
    arrow that jumps over the layers beside it (red, down a lane of its
    own). A concatenation of a concatenation is drawn as one concatenation
    of everything stacked (the same tensor): in a DenseNet dense block every
    layer's output then reaches every later concatenation, all-to-all, as
    the paper draws it, and the alt text lists those sources.

    Parameters
    ----------
    model : keras.Model
        A built functional model (``keras.Input(shape=...)``).
    title : str, optional
        Defaults to the model's name.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt : str
        Every layer with its inputs, shape and parameters, and the total.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``title`` is not a string.

    Examples
    --------
    >>> from cnnbook.architectures import inception_demo
    >>> figure, alt = block_diagram(inception_demo())  # doctest: +SKIP
    """
    from matplotlib.patches import FancyBboxPatch

    rows = _rows_of(model, None)
    if title is None:
        title = model.name
    if not isinstance(title, str):
        raise TypeError(f"title must be a str or None; got {title!r}")
    by_name = {row.name: row for row in rows}
    order, parents = _graph(model)
    order = [name for name in order if name in by_name]
    depth = {}
    for name in order:  # the config lists layers in an order where parents come first
        depth[name] = 1 + max((depth[p] for p in parents[name] if p in depth), default=-1)
    sources = {}  # what each layer reads; a concatenation of a concatenation reads what that one stacked
    for name in order:
        sources[name] = []
        for parent in parents[name]:
            nested = parent in by_name and by_name[parent].kind == "Concatenate" == by_name[name].kind
            sources[name] += sources[parent] if nested else [parent]
    levels = {}
    for name in order:
        levels.setdefault(depth[name], []).append(name)
    column = {}
    for level in sorted(levels):
        names = levels[level]
        if level:  # keep a branch under its parent where possible
            names.sort(key=lambda n: np.mean([column[p] for p in parents[n] if p in column] or [0]))
        for i, name in enumerate(names):
            column[name] = i - (len(names) - 1) / 2
    words = {
        name: (
            f"{name} ({_SHORT_KINDS.get(by_name[name].kind, by_name[name].kind)})",
            f"{_shape_words(by_name[name].output_shape)}   {by_name[name].params:,}",
        )
        for name in order
    }
    box_w = 0.14 + max(max(_text_width(a), _text_width(b, bold=True)) for a, b in words.values())
    box_h, dx, dy = 0.42, box_w + 0.15, 0.68
    widest = max(len(names) for names in levels.values())
    # A connection that skips levels within one column runs down a lane of its own, right of the boxes.
    skips = [(p, n) for n in order for p in sources[n] if depth[n] - depth[p] > 1 and column[p] == column[n]]
    lanes = {source: k for k, source in enumerate(dict.fromkeys(p for p, _ in skips), start=1)}
    right = (widest - 1) / 2 * dx + box_w / 2 + 0.16 * len(lanes) + 0.1
    heading = _wrapped_title(
        f"{title}: {params.totals(rows)['params']:,} parameters (each box: output channels x rows x columns, "
        "parameters" + ("; red: a connection that skips layers)" if skips else ")"),
        min(_WIDTH, max(4.5, 2 * right)) - 0.2,
    )
    title_height = (heading.count("\n") + 1) * (_FONT + 1) * 1.45 / 72 + 0.15
    width = max(4.5, 2 * right)  # room for the title
    height = title_height + (len(levels) - 1) * dy + box_h + 0.1
    fig, ax = _figure(width, height)
    ax.text(width / 2, height - 0.05, heading, ha="center", va="top", fontsize=_FONT + 1)
    top = height - title_height - box_h / 2
    centres = {name: (width / 2 + column[name] * dx, top - depth[name] * dy) for name in order}
    plain = {"arrowstyle": "->", "color": "0.3", "linewidth": 0.9}
    for name in order:
        x, y = centres[name]
        for parent in sources[name]:
            if parent not in centres:
                continue
            px, py = centres[parent]
            if (parent, name) in skips:
                lane = x + box_w / 2 + 0.16 * lanes[parent]
                ax.plot([px + box_w / 2, lane, lane], [py, py, y], color="#cb181d", linewidth=1.0)
                ax.annotate("", xy=(x + box_w / 2, y), xytext=(lane, y), arrowprops={**plain, "color": "#cb181d"})
            elif depth[name] - depth[parent] > 1:  # down its own column, then in from the side
                side = x + np.sign(px - x) * box_w / 2
                ax.plot([px, px], [py - box_h / 2, y], color="0.3", linewidth=0.9)
                ax.annotate("", xy=(side, y), xytext=(px, y), arrowprops=plain)
            else:
                ax.annotate("", xy=(x, y + box_h / 2), xytext=(px, py - box_h / 2), arrowprops=plain)
    for name in order:
        x, y = centres[name]
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02",
                facecolor=_COLOURS.get(by_name[name].kind, _OTHER_COLOUR),
                edgecolor="0.25",
                linewidth=0.8,
            )
        )
        ax.text(x, y + 0.1, words[name][0], ha="center", va="center", fontsize=_FONT)
        ax.text(x, y - 0.1, words[name][1], ha="center", va="center", fontsize=_FONT, fontweight="bold")

    parts = []
    for name in order:
        row = by_name[name]
        source = f" from {', '.join(sources[name])}" if sources[name] else ""
        parts.append(f"{name} ({row.kind}{source}; {_shape_words(row.output_shape)}, {_count(row.params)})")
    alt = (
        f"Graph of {title}, input at the top: "
        + "; ".join(parts)
        + f". {params.totals(rows)['params']:,} parameters in all. Shapes are channels x rows x columns."
    )
    return fig, alt


# ---------------------------------------------------------------------------
# The classic families
# ---------------------------------------------------------------------------


def _vgg16_specs():
    """VGG-16 (configuration D) as layer specs: 3x3 "same" convolutions, 2x2 pooling, three dense layers."""
    layers = []
    for stage, (filters, repeats) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), start=1):
        layers += [
            params.Conv2D(filters, 3, padding="same", name=f"block{stage}_conv{i}") for i in range(1, repeats + 1)
        ]
        layers.append(params.Pool(2, name=f"block{stage}_pool"))
    return layers + [
        params.Flatten(name="flatten"),
        params.Dense(4096, name="fc1"),
        params.Dense(4096, name="fc2"),
        params.Dense(1000, name="predictions"),
    ]


def architecture_diagram(name):
    """The diagram of one classic architecture family, by name (chapter 9).

    ``"LeNet-5"``, ``"AlexNet"`` and ``"VGG-16"`` are chains, drawn by
    :func:`tensor_diagram` (LeNet-5 and AlexNet from the Keras models of
    :mod:`cnnbook.architectures`, VGG-16 from layer specs so that its 138
    million weights are never allocated). ``"Inception module"`` (GoogLeNet's
    3a), ``"residual block"`` (two ResNet basic blocks), ``"bottleneck block"``
    (ResNet-50's first two blocks) and ``"dense block"``
    (four DenseNet layers) have branches, drawn by :func:`block_diagram`.

    Parameters
    ----------
    name : str
        One of :data:`ARCHITECTURES` (case-insensitive).

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt : str
        As :func:`tensor_diagram` (the chains) or :func:`block_diagram`
        (the blocks) describe it.

    Raises
    ------
    TypeError, ValueError
        If ``name`` is not one of :data:`ARCHITECTURES`.

    Examples
    --------
    >>> figure, alt = architecture_diagram("VGG-16")
    >>> alt.startswith("Diagram of VGG-16 as tensors: input 3x224x224")
    True
    """
    from . import architectures

    name = _checks.choice(name, "name", ARCHITECTURES)
    if name == "LeNet-5":
        return tensor_diagram(architectures.lenet5(), title="LeNet-5 (1998)")
    if name == "AlexNet":
        return tensor_diagram(architectures.alexnet(), title="AlexNet (2012)")
    if name == "VGG-16":
        return tensor_diagram((224, 224, 3), _vgg16_specs(), title="VGG-16")
    if name == "Inception module":
        return block_diagram(architectures.inception_demo(), title="Inception module 3a (GoogLeNet)")
    if name == "residual block":
        return block_diagram(architectures.resnet_block_demo(), title="Two ResNet basic blocks")
    if name == "bottleneck block":
        return block_diagram(architectures.bottleneck_demo(), title="ResNet-50's first two bottleneck blocks")
    return block_diagram(architectures.densenet_block_demo(), title="A DenseNet dense block (4 layers, growth 12)")


# ---------------------------------------------------------------------------
# Convolution as a matrix
# ---------------------------------------------------------------------------


def convolution_matrix(kernel, input_shape, stride=1, padding="valid"):
    """The matrix ``M`` with ``M @ x.ravel() == conv2d(x, kernel).ravel()`` (chapters 1 and 5).

    A convolution is a linear map of the input, so it is a matrix: one row
    per output pixel, one column per input pixel. Column ``j`` is the output
    for an input that is 1 at pixel ``j`` and 0 elsewhere, computed with
    :func:`cnnbook.conv.conv2d` itself. Most entries are zero (each output
    reads only a window: *sparse interactions*) and every row holds the same
    kernel weights, shifted (*parameter sharing*). Its transpose maps an
    output-sized array back to the input's size: the transposed convolution
    of the backward pass (chapter 5).

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
    input_shape : int or (int, int)
        The input's rows and columns.
    stride, padding
        As :func:`cnnbook.conv.conv2d`.

    Returns
    -------
    numpy.ndarray of float64, shape (out_rows * out_cols, rows * cols)

    Raises
    ------
    TypeError, ValueError
        For a kernel that is not a 2-D numeric array, an input shape that is
        not one or two ints >= 1, or settings :func:`cnnbook.conv.conv2d`
        refuses (a kernel larger than the padded input, stride 0, ...).

    Examples
    --------
    >>> print(convolution_matrix([[1, 2], [3, 4]], (3, 3)).astype(int))
    [[1 2 0 3 4 0 0 0 0]
     [0 1 2 0 3 4 0 0 0]
     [0 0 0 1 2 0 3 4 0]
     [0 0 0 0 1 2 0 3 4]]
    """
    kernel = _checks.array(kernel, "kernel", 2, "(kh, kw)")
    rows, cols = _checks.pair(input_shape, "input_shape")
    _checks.memory(8 * (rows * cols) ** 2, f"the convolution matrix of a {rows}x{cols} input")
    columns = []
    for index in range(rows * cols):
        impulse = np.zeros(rows * cols)
        impulse[index] = 1.0
        columns.append(conv.conv2d(impulse.reshape(rows, cols), kernel, stride=stride, padding=padding).ravel())
    return np.stack(columns, axis=1)


def convolution_matrix_diagram(input_shape=(3, 3), kernel_shape=(2, 2), stride=1, padding="valid"):
    """Draw a convolution as its sparse, weight-shared matrix (chapters 1 and 5).

    The kernel weights get symbols ``w11``, ``w12``, ... (row, column, from 1,
    as on the slides) and a colour each; the matrix of
    :func:`convolution_matrix` is drawn with those symbols in its non-zero
    entries and empty (zero) cells elsewhere. Kuo's example, a 3x3 input and
    a 2x2 filter, gives the 4x9 matrix.

    Parameters
    ----------
    input_shape : int or (int, int), default (3, 3)
    kernel_shape : int or (int, int), default (2, 2)
    stride, padding
        As :func:`cnnbook.conv.conv2d`.

    Returns
    -------
    figure : matplotlib.figure.Figure
    alt : str
        The matrix's size, how many of its cells are non-zero, and the
        weight symbols each row holds.

    Raises
    ------
    TypeError, ValueError
        As :func:`convolution_matrix`; also for more than 9 rows or columns
        in the kernel (the symbols would be ambiguous) or a matrix too large
        to read (more than 400 cells across or 100 down).

    Examples
    --------
    >>> figure, alt = convolution_matrix_diagram()
    >>> alt.split(":")[0]
    'A 4 x 9 matrix'
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    kh, kw = _checks.pair(kernel_shape, "kernel_shape")
    if kh > 9 or kw > 9:
        raise ValueError(f"kernel_shape must be at most 9x9 for the w<row><col> symbols; got {(kh, kw)}")
    rows, cols = _checks.pair(input_shape, "input_shape")
    labels = np.arange(1, kh * kw + 1, dtype=float).reshape(kh, kw)
    matrix = np.rint(convolution_matrix(labels, (rows, cols), stride=stride, padding=padding)).astype(int)
    n_out, n_in = matrix.shape
    if n_out > 100 or n_in > 400:
        raise ValueError(
            f"a {rows}x{cols} input gives a {n_out} x {n_in} matrix, too large to draw; use a smaller input_shape"
        )
    symbols = [f"w{r + 1}{c + 1}" for r in range(kh) for c in range(kw)]
    cmap = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(0.55 * n_in + 1.6, 0.55 * n_out + 1.3), dpi=_DPI)
    for r in range(n_out):
        for c in range(n_in):
            index = matrix[r, c]
            colour = cmap((index - 1) % 10) if index else "white"
            ax.add_patch(
                Rectangle((c, r), 1, 1, facecolor=colour, alpha=0.45 if index else 1, edgecolor="0.6", linewidth=0.6)
            )
            if index:
                ax.text(c + 0.5, r + 0.5, symbols[index - 1], ha="center", va="center", fontsize=_FONT + 1)
    out_cols = conv.output_size(cols, kw, stride=stride, padding=padding)
    ax.set_xticks(np.arange(n_in) + 0.5, [f"x{i // cols + 1}{i % cols + 1}" for i in range(n_in)], fontsize=_FONT)
    ax.set_yticks(
        np.arange(n_out) + 0.5, [f"z{i // out_cols + 1}{i % out_cols + 1}" for i in range(n_out)], fontsize=_FONT
    )
    ax.set_xlim(0, n_in)
    ax.set_ylim(n_out, 0)
    ax.set_aspect("equal")
    ax.tick_params(length=0)
    ax.set_xlabel("input pixel (column of the matrix)", fontsize=_FONT)
    ax.set_ylabel("output pixel (row)", fontsize=_FONT)
    nonzero = int(np.count_nonzero(matrix))
    ax.set_title(
        f"{kh}x{kw} filter on a {rows}x{cols} input as a {n_out} x {n_in} matrix: "
        f"{nonzero} of {matrix.size} entries non-zero, {kh * kw} distinct weights",
        fontsize=_FONT + 1,
    )
    fig.tight_layout()
    alt = (
        f"A {n_out} x {n_in} matrix: one row per output pixel of a {kh}x{kw} filter sliding over a "
        f"{rows}x{cols} input (stride {stride}, padding {padding!r}), one column per input pixel. Only "
        f"{nonzero} of the {matrix.size} cells are non-zero; each row holds the same {kh * kw} weights "
        f"{', '.join(symbols)}, shifted one window along, and the other cells are empty (zero)."
    )
    return fig, alt
