"""Parameters, activations and multiply-adds of a CNN, layer by layer.

Chapter 4 ("Counting parameters") explains every function here; chapter 9
("Architectures") reuses them for the classic networks.

Two ways in, one result:

- describe a stack of layers with the specs below (:class:`Conv2D`,
  :class:`Pool`, :class:`Dense`, :class:`Flatten`, ...) and call
  :func:`layer_table`; pure arithmetic, no Keras needed;
- build the model in Keras and call :func:`keras_layer_table`, which reads
  each layer's configuration and input shapes and does the same arithmetic
  (it never asks Keras for the counts, so comparing its total with
  ``model.count_params()`` is a real check).

Both return a list of :class:`LayerRow`; :func:`totals` adds them up,
:func:`format_table` prints them as text and :func:`table_html` as an HTML
table.

Conventions
-----------
Shapes
    Channels-last ``(rows, cols, channels)`` as in Keras, without the batch
    axis. All numbers are for one example; multiply by the batch size for a
    batch.
params
    Every number the layer stores, counted as Keras ``count_params()`` counts
    them: weights plus biases, and for batch normalisation also the moving
    mean and variance (not trained, but stored).
biases
    The part of ``params`` that is added rather than multiplied: the bias
    vectors of convolutions and dense layers, and batch normalisation's
    ``beta``. ``bias=False`` on a layer spec removes them, as the lectures do
    when they "ignore bias".
activations
    How many numbers the layer outputs for one example. At float32 each takes
    4 bytes. :func:`totals` adds them over all layers (the input included)
    except ``Flatten``/``Reshape``, whose output is the previous layer's
    numbers read in a different order.
mult_adds
    Multiply-accumulate operations (one multiplication and one addition,
    "MACs") of one forward pass, counted for the layers with weights:
    convolutions and dense layers. A convolution output value costs
    ``kh * kw * channels_in / groups`` of them; products with padded zeros
    are counted because the framework performs them. Bias additions,
    activation functions, pooling, batch normalisation and merges (add,
    concatenate) are not counted: each costs about one operation per output
    value, small next to the convolutions. Many papers and tools quote
    ``FLOPs = 2 x mult_adds`` (a multiplication and an addition are two
    floating-point operations); others, for example the ResNet paper, write
    "FLOPs" and mean multiply-adds. Always check which one a number means.
"""
import dataclasses
import html
import math
import numbers

from .conv import output_size

__all__ = [
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "Pool",
    "GlobalPool",
    "Dense",
    "Flatten",
    "ZeroPad",
    "BatchNorm",
    "LayerRow",
    "conv2d_params",
    "dense_params",
    "layer_table",
    "keras_layer_table",
    "build_keras",
    "totals",
    "format_table",
    "table_html",
    "COLUMNS",
]

PADDINGS = ("valid", "same")

#: Column keys of :func:`format_table` / :func:`table_html` and their headers.
COLUMNS = {
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


# ---------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _int(value, name, minimum=1):
    what = f"an int >= {minimum}"
    if not _is_int(value):
        raise TypeError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be {what}; got {value!r}")
    return int(value)


def _pair(value, name, minimum=1):
    allowed = f"an int >= {minimum} or a pair (rows, cols) of ints >= {minimum}"
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be {allowed}; got {value!r}")
        return tuple(_int(item, name, minimum) for item in value)
    if not _is_int(value):
        raise TypeError(f"{name} must be {allowed}; got {value!r} of type {type(value).__name__}")
    value = _int(value, name, minimum)
    return value, value


def _padding_word(value):
    if not isinstance(value, str) or value.lower() not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS} (use ZeroPad for explicit zeros); got {value!r}")
    return value.lower()


def _bool(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return value


def _name(value):
    if value is not None and (not isinstance(value, str) or not value):
        raise TypeError(f"name must be a non-empty str or None; got {value!r}")
    return value


def _shape_text(shape):
    return "x".join(str(n) for n in shape)


def _describe(shape):
    return f"a {_shape_text(shape)} input" if len(shape) != 1 else f"a vector of {shape[0]} numbers"


def _image(shape, what):
    """``(rows, cols, channels)`` of a 3-D shape, or a ValueError saying what is wrong."""
    if len(shape) != 3:
        raise ValueError(f"{what} needs a (rows, cols, channels) input, got {_describe(shape)}; "
                         "it cannot follow Flatten, Dense or global pooling")
    return shape


def _spatial(n, k, stride, padding, dilation, axis, what):
    """Output size along one axis; a clear error when the window does not fit."""
    span = dilation * (k - 1) + 1
    if padding == "valid" and span > n:
        raise ValueError(
            f"{what} does not fit: its window covers {span} {axis} but the input has only {n}, "
            f"so the output would have fewer than 1 {axis[:-1]} (padding 'valid'); "
            "use padding='same', a smaller window, or fewer layers that shrink the input before it")
    return output_size(n, k, stride=stride, padding=padding, dilation=dilation)


def _spatial_pair(rows, cols, kernel, stride, padding, dilation, what):
    return (_spatial(rows, kernel[0], stride[0], padding, dilation[0], "rows", what),
            _spatial(cols, kernel[1], stride[1], padding, dilation[1], "columns", what))


# ---------------------------------------------------------------------------
# The formulas
# ---------------------------------------------------------------------------

def conv2d_params(kernel, in_channels, filters, bias=True, groups=1):
    """Parameters of a 2-D convolution layer (chapter 4).

    Each of the ``filters`` filters has ``kh * kw * in_channels / groups``
    weights (one per input value it sees) and, with ``bias``, one bias:

    .. math:: (k_h k_w C_{in} / g + 1)\\, C_{out}

    The count does not depend on the image size: the same filter slides
    over every position.

    Parameters
    ----------
    kernel : int or (int, int)
        Kernel size ``k`` or ``(kh, kw)``.
    in_channels : int
        Channels of the input, >= 1.
    filters : int
        Output channels, >= 1.
    bias : bool, default True
        Count one bias per filter.
    groups : int, default 1
        Grouped convolution (AlexNet's two-GPU split): each filter sees
        ``in_channels / groups`` channels. Must divide both channel counts.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range (the message names it).

    Examples
    --------
    >>> conv2d_params(5, 1, 32)            # Payberah's first layer
    832
    >>> conv2d_params(5, 1, 100, bias=False)
    2500
    """
    kh, kw = _pair(kernel, "kernel")
    in_channels = _int(in_channels, "in_channels")
    filters = _int(filters, "filters")
    groups = _int(groups, "groups")
    _bool(bias, "bias")
    if in_channels % groups or filters % groups:
        raise ValueError(f"groups must divide in_channels ({in_channels}) and filters ({filters}); got {groups}")
    return kh * kw * (in_channels // groups) * filters + (filters if bias else 0)


def dense_params(inputs, units, bias=True):
    """Parameters of a dense (fully connected) layer (chapter 4).

    One weight for every (input, unit) pair and, with ``bias``, one bias per
    unit: :math:`(n_{in} + 1)\\, n_{out}`.

    Parameters
    ----------
    inputs : int
        Length of the input vector, >= 1.
    units : int
        Output units, >= 1.
    bias : bool, default True

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range (the message names it).

    Examples
    --------
    >>> dense_params(9 * 9, 20, bias=False)     # Larson's 9x9 image, 20 hidden units
    1620
    >>> dense_params(3136, 1024)
    3212288
    """
    inputs = _int(inputs, "inputs")
    units = _int(units, "units")
    _bool(bias, "bias")
    return inputs * units + (units if bias else 0)


# ---------------------------------------------------------------------------
# Layer specs
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Step:
    """What one layer does to one input shape."""

    output_shape: tuple
    params: int = 0
    biases: int = 0
    mult_adds: int = 0


class _Spec:
    """Base of the layer specs: validated, immutable, pure arithmetic."""

    short = "layer"

    @property
    def keras_class(self):
        """The name of the Keras layer class this spec describes."""
        return type(self).__name__

    def _set(self, field, value):
        object.__setattr__(self, field, value)

    def step(self, shape):
        """Return a ``_Step`` for input ``shape`` (tuple, no batch axis)."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Conv2D(_Spec):
    """A 2-D convolution layer, as ``keras.layers.Conv2D`` (chapter 4).

    Parameters
    ----------
    filters : int
        Output channels.
    kernel : int or (int, int)
    stride : int or (int, int), default 1
    padding : {"valid", "same"}, default "valid"
        As in Keras; for explicit zero padding put a :class:`ZeroPad` before.
    bias : bool, default True
    dilation : int or (int, int), default 1
    groups : int, default 1
    name : str, optional
        Row name; default ``conv1``, ``conv2``, ...

    Examples
    --------
    >>> [row.params for row in layer_table((28, 28, 1), [Conv2D(32, 5, padding="same")])]
    [0, 832]
    """

    filters: int
    kernel: object
    stride: object = 1
    padding: str = "valid"
    bias: bool = True
    dilation: object = 1
    groups: int = 1
    name: str = None
    short = "conv"

    def __post_init__(self):
        self._set("filters", _int(self.filters, "filters"))
        self._set("kernel", _pair(self.kernel, "kernel"))
        self._set("stride", _pair(self.stride, "stride"))
        self._set("padding", _padding_word(self.padding))
        self._set("dilation", _pair(self.dilation, "dilation"))
        self._set("groups", _int(self.groups, "groups"))
        _bool(self.bias, "bias")
        _name(self.name)

    def step(self, shape):
        rows, cols, channels = _image(shape, "Conv2D")
        if channels % self.groups or self.filters % self.groups:
            raise ValueError(f"groups={self.groups} must divide the {channels} input channels and the "
                             f"{self.filters} filters")
        what = f"the {_shape_text(self.kernel)} kernel"
        out = _spatial_pair(rows, cols, self.kernel, self.stride, self.padding, self.dilation, what)
        params = conv2d_params(self.kernel, channels, self.filters, self.bias, self.groups)
        per_output = self.kernel[0] * self.kernel[1] * channels // self.groups
        return _Step((*out, self.filters), params, self.filters if self.bias else 0,
                     out[0] * out[1] * self.filters * per_output)


@dataclasses.dataclass(frozen=True)
class DepthwiseConv2D(_Spec):
    """A depthwise convolution, as ``keras.layers.DepthwiseConv2D`` (chapter 9).

    Each input channel gets its own ``depth_multiplier`` filters of size
    ``kh x kw`` that see only that channel.

    Parameters
    ----------
    kernel : int or (int, int)
    stride : int or (int, int), default 1
    padding : {"valid", "same"}, default "valid"
    depth_multiplier : int, default 1
    bias : bool, default True
    dilation : int or (int, int), default 1
    name : str, optional
    """

    kernel: object
    stride: object = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    bias: bool = True
    dilation: object = 1
    name: str = None
    short = "dwconv"

    def __post_init__(self):
        self._set("kernel", _pair(self.kernel, "kernel"))
        self._set("stride", _pair(self.stride, "stride"))
        self._set("padding", _padding_word(self.padding))
        self._set("depth_multiplier", _int(self.depth_multiplier, "depth_multiplier"))
        self._set("dilation", _pair(self.dilation, "dilation"))
        _bool(self.bias, "bias")
        _name(self.name)

    def step(self, shape):
        rows, cols, channels = _image(shape, "DepthwiseConv2D")
        what = f"the {_shape_text(self.kernel)} kernel"
        out = _spatial_pair(rows, cols, self.kernel, self.stride, self.padding, self.dilation, what)
        out_channels = channels * self.depth_multiplier
        taps = self.kernel[0] * self.kernel[1]
        biases = out_channels if self.bias else 0
        return _Step((*out, out_channels), taps * out_channels + biases, biases,
                     out[0] * out[1] * out_channels * taps)


@dataclasses.dataclass(frozen=True)
class SeparableConv2D(_Spec):
    """A depthwise then a 1x1 convolution, as ``keras.layers.SeparableConv2D`` (chapter 9).

    Parameters
    ----------
    filters : int
        Output channels of the 1x1 (pointwise) step.
    kernel : int or (int, int)
        Size of the depthwise step.
    stride : int or (int, int), default 1
    padding : {"valid", "same"}, default "valid"
    depth_multiplier : int, default 1
    bias : bool, default True
        One bias per output channel (after the pointwise step).
    dilation : int or (int, int), default 1
    name : str, optional
    """

    filters: int
    kernel: object
    stride: object = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    bias: bool = True
    dilation: object = 1
    name: str = None
    short = "sepconv"

    def __post_init__(self):
        self._set("filters", _int(self.filters, "filters"))
        self._set("kernel", _pair(self.kernel, "kernel"))
        self._set("stride", _pair(self.stride, "stride"))
        self._set("padding", _padding_word(self.padding))
        self._set("depth_multiplier", _int(self.depth_multiplier, "depth_multiplier"))
        self._set("dilation", _pair(self.dilation, "dilation"))
        _bool(self.bias, "bias")
        _name(self.name)

    def step(self, shape):
        rows, cols, channels = _image(shape, "SeparableConv2D")
        what = f"the {_shape_text(self.kernel)} kernel"
        out = _spatial_pair(rows, cols, self.kernel, self.stride, self.padding, self.dilation, what)
        middle = channels * self.depth_multiplier
        depthwise = self.kernel[0] * self.kernel[1] * middle
        pointwise = middle * self.filters
        biases = self.filters if self.bias else 0
        return _Step((*out, self.filters), depthwise + pointwise + biases, biases,
                     out[0] * out[1] * (depthwise + pointwise))


@dataclasses.dataclass(frozen=True)
class Pool(_Spec):
    """Max or average pooling, as ``keras.layers.MaxPooling2D`` / ``AveragePooling2D`` (chapter 4).

    No parameters: the window takes the maximum (or mean) of what it covers.

    Parameters
    ----------
    size : int or (int, int), default 2
    stride : int or (int, int), optional
        Default: ``size`` (windows that do not overlap), as in Keras.
    padding : {"valid", "same"}, default "valid"
    kind : {"max", "average"}, default "max"
    name : str, optional

    Examples
    --------
    >>> layer_table((28, 28, 32), [Pool(2)])[-1].output_shape
    (14, 14, 32)
    """

    size: object = 2
    stride: object = None
    padding: str = "valid"
    kind: str = "max"
    name: str = None
    short = "pool"

    def __post_init__(self):
        self._set("size", _pair(self.size, "size"))
        self._set("stride", self.size if self.stride is None else _pair(self.stride, "stride"))
        self._set("padding", _padding_word(self.padding))
        if self.kind not in ("max", "average"):
            raise ValueError(f"kind must be 'max' or 'average'; got {self.kind!r}")
        _name(self.name)

    @property
    def keras_class(self):
        return "MaxPooling2D" if self.kind == "max" else "AveragePooling2D"

    def step(self, shape):
        rows, cols, channels = _image(shape, self.keras_class)
        what = f"the {_shape_text(self.size)} pooling window"
        out = _spatial_pair(rows, cols, self.size, self.stride, self.padding, (1, 1), what)
        return _Step((*out, channels))


@dataclasses.dataclass(frozen=True)
class GlobalPool(_Spec):
    """Global average or max pooling: one number per channel (chapter 9).

    Parameters
    ----------
    kind : {"average", "max"}, default "average"
    keepdims : bool, default False
        Output ``(1, 1, channels)`` instead of ``(channels,)``.
    name : str, optional
    """

    kind: str = "average"
    keepdims: bool = False
    name: str = None
    short = "gpool"

    def __post_init__(self):
        if self.kind not in ("max", "average"):
            raise ValueError(f"kind must be 'average' or 'max'; got {self.kind!r}")
        _bool(self.keepdims, "keepdims")
        _name(self.name)

    @property
    def keras_class(self):
        return "GlobalAveragePooling2D" if self.kind == "average" else "GlobalMaxPooling2D"

    def step(self, shape):
        channels = _image(shape, self.keras_class)[2]
        return _Step((1, 1, channels) if self.keepdims else (channels,))


@dataclasses.dataclass(frozen=True)
class Dense(_Spec):
    """A fully connected layer, as ``keras.layers.Dense`` (chapter 4).

    Like Keras, a dense layer on a ``(rows, cols, channels)`` input acts on
    the last axis only (the same weights at every position); put a
    :class:`Flatten` before it to connect every input to every unit.

    Parameters
    ----------
    units : int
    bias : bool, default True
    name : str, optional

    Examples
    --------
    >>> layer_table((81,), [Dense(20, bias=False)])[-1].params
    1620
    """

    units: int
    bias: bool = True
    name: str = None
    short = "dense"

    def __post_init__(self):
        self._set("units", _int(self.units, "units"))
        _bool(self.bias, "bias")
        _name(self.name)

    def step(self, shape):
        inputs = shape[-1]
        positions = math.prod(shape[:-1])
        return _Step((*shape[:-1], self.units), dense_params(inputs, self.units, self.bias),
                     self.units if self.bias else 0, positions * inputs * self.units)


@dataclasses.dataclass(frozen=True)
class Flatten(_Spec):
    """Reshape to one long vector, as ``keras.layers.Flatten`` (chapter 4). No parameters.

    Parameters
    ----------
    name : str, optional
    """

    name: str = None
    short = "flatten"

    def __post_init__(self):
        _name(self.name)

    def step(self, shape):
        return _Step((math.prod(shape),))


@dataclasses.dataclass(frozen=True)
class ZeroPad(_Spec):
    """Explicit zero padding, as ``keras.layers.ZeroPadding2D`` (chapter 9). No parameters.

    Parameters
    ----------
    padding : int, (int, int) or ((int, int), (int, int)), default 1
        Zeros on every side; ``(rows, cols)`` symmetric amounts; or
        ``((top, bottom), (left, right))``.
    name : str, optional
    """

    padding: object = 1
    name: str = None
    short = "pad"

    def __post_init__(self):
        value = self.padding
        allowed = "an int >= 0, a pair (rows, cols) or ((top, bottom), (left, right))"
        if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (tuple, list)) for v in value):
            pads = tuple(_pair(v, "padding", minimum=0) for v in value)
        elif isinstance(value, (tuple, list)):
            rows, cols = _pair(value, "padding", minimum=0)
            pads = ((rows, rows), (cols, cols))
        elif _is_int(value):
            amount = _int(value, "padding", minimum=0)
            pads = ((amount, amount), (amount, amount))
        else:
            raise TypeError(f"padding must be {allowed}; got {value!r}")
        self._set("padding", pads)
        _name(self.name)

    @property
    def keras_class(self):
        return "ZeroPadding2D"

    def step(self, shape):
        rows, cols, channels = _image(shape, "ZeroPadding2D")
        (top, bottom), (left, right) = self.padding
        return _Step((rows + top + bottom, cols + left + right, channels))


@dataclasses.dataclass(frozen=True)
class BatchNorm(_Spec):
    """Batch normalisation over the channels, as ``keras.layers.BatchNormalization`` (chapter 9).

    Per channel: ``gamma`` (with ``scale``), ``beta`` (with ``center``) and
    the moving mean and variance; Keras counts all four in
    ``count_params()`` although only ``gamma`` and ``beta`` are trained.

    Parameters
    ----------
    center : bool, default True
    scale : bool, default True
    name : str, optional
    """

    center: bool = True
    scale: bool = True
    name: str = None
    short = "bn"

    def __post_init__(self):
        _bool(self.center, "center")
        _bool(self.scale, "scale")
        _name(self.name)

    @property
    def keras_class(self):
        return "BatchNormalization"

    def step(self, shape):
        channels = shape[-1]
        return _Step(tuple(shape), channels * (2 + self.center + self.scale), channels if self.center else 0)


_SPECS = (Conv2D, DepthwiseConv2D, SeparableConv2D, Pool, GlobalPool, Dense, Flatten, ZeroPad, BatchNorm)


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

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
    allowed = "a tuple (rows, cols, channels) or (length,) of ints >= 1"
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be {allowed}; got {value!r}")
    if len(value) not in (1, 3):
        hint = " (add the channel axis: (rows, cols, 1) for a grey image)" if len(value) == 2 else ""
        raise ValueError(f"{name} must be {allowed}{hint}; got {value!r}")
    return tuple(_int(n, name) for n in value)


def _row(name, kind, step):
    return LayerRow(name, kind, tuple(step.output_shape), step.params, step.biases,
                    math.prod(step.output_shape), step.mult_adds)


def _input_row(name, shape):
    return LayerRow(name, "InputLayer", tuple(shape), 0, 0, math.prod(shape), 0)


def layer_table(input_shape, layers):
    """Output shape, parameters, activations and multiply-adds of each layer (chapter 4).

    Parameters
    ----------
    input_shape : tuple of int
        ``(rows, cols, channels)`` for images, ``(length,)`` for vectors.
    layers : sequence of layer specs
        :class:`Conv2D`, :class:`DepthwiseConv2D`, :class:`SeparableConv2D`,
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
        raise TypeError(f"layers must be a list of layer specs; got {layers!r}")
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
            raise ValueError(f"layer {position} ({name}, {layer.keras_class}) gets {_describe(shape)}: "
                             f"{error}") from None
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
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"columns must be chosen from {tuple(COLUMNS)}; got {unknown!r}")
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
        values.update(kind="", output_shape="",
                      params_percent="100.0" if sums["params"] else "0.0",
                      mult_adds_percent="100.0" if sums["mult_adds"] else "0.0")
        footer = ["total"] + [values[c] for c in columns]
    return ["layer"] + [COLUMNS[c] for c in columns], body, footer


def format_table(rows, columns=_DEFAULT_COLUMNS, total=True):
    """A layer table as aligned plain text, for ``print`` (chapter 4).

    Parameters
    ----------
    rows : list of LayerRow
    columns : sequence of str, default ("output_shape", "params", "activations", "mult_adds")
        Keys of :data:`COLUMNS`: ``kind``, ``output_shape``, ``params``,
        ``weights``, ``biases``, ``activations``, ``mult_adds``,
        ``params_percent``, ``mult_adds_percent``.
    total : bool, default True
        Add a ``total`` line (see :func:`totals` for how activations add up).

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_table(layer_table((81,), [Dense(20, bias=False)]), columns=("output_shape", "params")))
    layer   output shape  params
    input             81       0
    dense1            20   1,620
    total                  1,620
    """
    rows = _rows(rows)
    header, body, footer = _cells(rows, _columns(columns), _bool(total, "total"))
    lines = [header] + body + ([footer] if footer else [])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:])]
        text.append("  ".join(cells).rstrip())
    return "\n".join(text)


def table_html(rows, columns=_DEFAULT_COLUMNS, total=True, caption=None):
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
    header, body, footer = _cells(rows, columns, _bool(total, "total"))
    cell = "padding:2px 8px;border-bottom:1px solid #ddd;"
    parts = ['<table class="cnnbook-param-table" style="border-collapse:collapse;font-family:monospace;">']
    if caption:
        parts.append(f'<caption style="text-align:left;font-weight:bold;">{html.escape(caption)}</caption>')
    parts.append("<thead><tr>" + "".join(
        f'<th style="{cell}text-align:{"left" if i == 0 else "right"};">{html.escape(text)}</th>'
        for i, text in enumerate(header)) + "</tr></thead><tbody>")
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
        parts.append("<tr>" + "".join(
            f'<td style="{cell}font-weight:bold;text-align:{"left" if i == 0 else "right"};">{html.escape(text)}</td>'
            for i, text in enumerate(footer)) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


# ---------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------

def _check_channels_last(config, layer):
    if config.get("data_format", "channels_last") != "channels_last":
        raise ValueError(f"layer {layer.name!r}: only channels_last models are supported, "
                         f"got data_format={config['data_format']!r}")


def _spec_from_keras(layer):
    """The layer spec that describes a Keras layer, or None for a layer it has no spec for."""
    config = layer.get_config()
    kind = type(layer).__name__
    _check_channels_last(config, layer)
    common = {"name": layer.name}
    if kind == "Conv2D":
        return Conv2D(config["filters"], tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"],
                      config["use_bias"], tuple(config["dilation_rate"]), config.get("groups", 1), **common)
    if kind == "DepthwiseConv2D":
        return DepthwiseConv2D(tuple(config["kernel_size"]), tuple(config["strides"]), config["padding"],
                               config["depth_multiplier"], config["use_bias"], tuple(config["dilation_rate"]),
                               **common)
    if kind == "SeparableConv2D":
        return SeparableConv2D(config["filters"], tuple(config["kernel_size"]), tuple(config["strides"]),
                               config["padding"], config["depth_multiplier"], config["use_bias"],
                               tuple(config["dilation_rate"]), **common)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return Pool(tuple(config["pool_size"]), tuple(config["strides"] or config["pool_size"]), config["padding"],
                    "max" if kind == "MaxPooling2D" else "average", **common)
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return GlobalPool("average" if kind == "GlobalAveragePooling2D" else "max", config.get("keepdims", False),
                          **common)
    if kind == "Dense":
        return Dense(config["units"], config["use_bias"], **common)
    if kind == "Flatten":
        return Flatten(**common)
    if kind == "ZeroPadding2D":
        return ZeroPad(tuple(tuple(pair) for pair in config["padding"]), **common)
    if kind == "BatchNormalization":
        axis = config["axis"]
        axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        rank = len(layer.input.shape)
        if axis not in (-1, rank - 1):
            raise ValueError(f"layer {layer.name!r}: BatchNormalization over axis {axis!r} is not supported "
                             "(only the channel axis, -1)")
        return BatchNorm(config["center"], config["scale"], **common)
    return None


_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


def _shape_of(tensor, layer):
    shape = tuple(tensor.shape[1:])
    if any(n is None for n in shape):
        raise ValueError(f"layer {layer.name!r} has an unknown size in its shape {tensor.shape}: "
                         "build the model with a fixed keras.Input(shape=...)")
    return tuple(int(n) for n in shape)


def _tensors(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _keras_step(layer, input_shapes):
    kind = type(layer).__name__
    spec = _spec_from_keras(layer)
    if spec is not None:
        if len(input_shapes) != 1:
            raise ValueError(f"layer {layer.name!r} ({kind}) has {len(input_shapes)} inputs; expected 1")
        return spec.step(input_shapes[0])
    if kind in _MERGES:
        shape = input_shapes[0]
        if any(other != shape for other in input_shapes):
            raise ValueError(f"layer {layer.name!r} ({kind}) merges different shapes {input_shapes}")
        return _Step(shape)
    if kind == "Concatenate":
        axis = layer.get_config()["axis"]
        axis = axis - 1 if axis > 0 else len(input_shapes[0]) + axis
        out = list(input_shapes[0])
        out[axis] = sum(shape[axis] for shape in input_shapes)
        return _Step(tuple(out))
    if not layer.weights:
        # A layer without weights (activation, dropout, reshape, rescaling, ...): no parameters, no mult-adds.
        return _Step(_shape_of(layer.output, layer))
    supported = ", ".join(["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D",
                           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Dense", "Flatten", "ZeroPadding2D",
                           "BatchNormalization", "Concatenate", *_MERGES])
    raise TypeError(f"keras_layer_table cannot count layer {layer.name!r} of class {kind}: it has weights and "
                    f"no counting rule; supported layers with weights or shape rules: {supported}, "
                    "and any layer without weights")


def _keras_rows(model, prefix, with_inputs):
    import keras

    rows = []
    if with_inputs:
        input_layers = [layer for layer in model.layers if type(layer).__name__ == "InputLayer"]
        if input_layers:
            rows += [_input_row(prefix + layer.name, _shape_of(layer.output, layer)) for layer in input_layers]
        else:
            rows += [_input_row(prefix + "input", _shape_of(tensor, model)) for tensor in model.inputs]
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        if isinstance(layer, keras.Model):
            rows += _keras_rows(layer, f"{prefix}{layer.name}/", with_inputs=False)
            continue
        input_shapes = [_shape_of(tensor, layer) for tensor in _tensors(layer.input)]
        step = _keras_step(layer, input_shapes)
        keras_shape = _shape_of(layer.output, layer)
        if tuple(step.output_shape) != keras_shape:
            raise RuntimeError(f"cnnbook computes output shape {step.output_shape} for layer {layer.name!r} "
                               f"({type(layer).__name__}) but Keras reports {keras_shape}")
        rows.append(_row(prefix + layer.name, type(layer).__name__, step))
    return rows


def keras_layer_table(model):
    """The layer table of a built Keras model (chapters 4 and 9).

    Walks ``model.layers`` (Sequential or functional; nested models are
    expanded, their rows named ``outer/inner``) and computes each row from
    the layer's configuration (filters, kernel size, strides, padding, units,
    use_bias, ...) and its input shapes with the same arithmetic as
    :func:`layer_table`. It never calls ``count_params()``, so
    ``totals(keras_layer_table(model))["params"] == model.count_params()`` is
    a real check. Each computed output shape is compared with the one Keras
    reports.

    Counted: ``Conv2D`` (also grouped), ``DepthwiseConv2D``,
    ``SeparableConv2D``, ``Dense``, ``MaxPooling2D``, ``AveragePooling2D``,
    ``GlobalAveragePooling2D``, ``GlobalMaxPooling2D``, ``Flatten``,
    ``ZeroPadding2D``, ``BatchNormalization``, ``Concatenate``, ``Add`` and
    the other merges, and any layer without weights (activations, dropout,
    reshaping), which gets zero parameters and zero multiply-adds. A layer
    used several times (shared weights) is listed once, for its first call.

    Parameters
    ----------
    model : keras.Model
        Built, with fixed input sizes (``keras.Input(shape=...)``), channels-last.

    Returns
    -------
    list of LayerRow
        One row per model input, then one per layer in ``model.layers`` order.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, or a layer with weights has no
        counting rule here (the message names the layer and its class).
    ValueError
        If the model is not built or has a variable input size.
    RuntimeError
        If a computed output shape differs from Keras's.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input(shape=(9, 9, 1)), keras.layers.Flatten(), keras.layers.Dense(20)])
    >>> totals(keras_layer_table(model))["params"] == model.count_params()
    True
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
    try:
        model.inputs
    except (AttributeError, ValueError) as error:
        raise ValueError("model is not built: start it with keras.Input(shape=...)") from error
    if not model.inputs:
        raise ValueError("model is not built: start it with keras.Input(shape=...)")
    return _keras_rows(model, "", with_inputs=True)


def build_keras(input_shape, layers, name="from_specs"):
    """The Keras model that a list of layer specs describes (chapters 4 and 9).

    A ``keras.Sequential`` with ``keras.Input(shape=input_shape)`` and one
    Keras layer per spec, with the same names. Activation functions are left
    out: they change neither the shapes nor the counts. Use it to check a
    :func:`layer_table` against ``count_params()``.

    Parameters
    ----------
    input_shape : tuple of int
    layers : sequence of layer specs
    name : str, default "from_specs"

    Returns
    -------
    keras.Sequential

    Raises
    ------
    TypeError, ValueError
        As :func:`layer_table` (the stack is checked before Keras sees it).

    Examples
    --------
    >>> model = build_keras((28, 28, 1), [Conv2D(32, 5, padding="same"), Pool(2)])
    >>> model.count_params()
    832
    """
    import keras
    from keras import layers as kl

    rows = layer_table(input_shape, layers)
    made = []
    for spec, row in zip(layers, rows[1:]):
        options = {"name": row.name}
        if isinstance(spec, Conv2D):
            made.append(kl.Conv2D(spec.filters, spec.kernel, strides=spec.stride, padding=spec.padding,
                                  dilation_rate=spec.dilation, groups=spec.groups, use_bias=spec.bias, **options))
        elif isinstance(spec, DepthwiseConv2D):
            made.append(kl.DepthwiseConv2D(spec.kernel, strides=spec.stride, padding=spec.padding,
                                           depth_multiplier=spec.depth_multiplier, dilation_rate=spec.dilation,
                                           use_bias=spec.bias, **options))
        elif isinstance(spec, SeparableConv2D):
            made.append(kl.SeparableConv2D(spec.filters, spec.kernel, strides=spec.stride, padding=spec.padding,
                                           depth_multiplier=spec.depth_multiplier, dilation_rate=spec.dilation,
                                           use_bias=spec.bias, **options))
        elif isinstance(spec, Pool):
            pool = kl.MaxPooling2D if spec.kind == "max" else kl.AveragePooling2D
            made.append(pool(spec.size, strides=spec.stride, padding=spec.padding, **options))
        elif isinstance(spec, GlobalPool):
            pool = kl.GlobalAveragePooling2D if spec.kind == "average" else kl.GlobalMaxPooling2D
            made.append(pool(keepdims=spec.keepdims, **options))
        elif isinstance(spec, Dense):
            made.append(kl.Dense(spec.units, use_bias=spec.bias, **options))
        elif isinstance(spec, Flatten):
            made.append(kl.Flatten(**options))
        elif isinstance(spec, ZeroPad):
            made.append(kl.ZeroPadding2D(spec.padding, **options))
        else:
            made.append(kl.BatchNormalization(center=spec.center, scale=spec.scale, **options))
    return keras.Sequential([keras.Input(shape=tuple(input_shape)), *made], name=name)
