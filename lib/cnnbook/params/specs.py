"""Layer specs: what one layer does to a shape, in parameters and multiply-adds.

Pure arithmetic, no Keras needed to describe a network; each spec also
converts itself to and from Keras (:meth:`_Spec.to_keras`,
:meth:`_Spec.from_keras`), which :mod:`cnnbook.params.keras_bridge` uses.
The conventions (what counts as a parameter, an activation, a multiply-add)
are in :mod:`cnnbook.params`.
"""

import dataclasses
import math

from .. import _checks
from ..conv import output_size

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "Pool",
    "GlobalPool",
    "Dense",
    "Flatten",
    "ZeroPad",
    "BatchNorm",
    "conv2d_params",
    "dense_params",
]

_PADDINGS = ("valid", "same")


def _shape_text(shape):
    return "x".join(str(n) for n in shape)


def _describe(shape):
    return f"a {_shape_text(shape)} input" if len(shape) != 1 else f"a vector of {shape[0]} numbers"


_LAYOUTS = {1: "(length, channels)", 2: "(rows, cols, channels)", 3: "(depth, rows, cols, channels)"}
_AXES = {1: ("samples",), 2: ("rows", "columns"), 3: ("slices", "rows", "columns")}


def _image(shape, what, rank=2):
    """A shape with ``rank`` spatial axes and channels last, or a ValueError saying what is wrong."""
    if len(shape) != rank + 1:
        hint = (
            "; add the channel axis: (rows, cols, 1) for a grey image"
            if rank == 2 and len(shape) == 2
            else "; it cannot follow Flatten, Dense or global pooling"
        )
        raise ValueError(f"{what} needs a {_LAYOUTS[rank]} input, got {_describe(shape)}{hint}")
    return shape


def _spatial(n, k, stride, padding, dilation, axis, what):
    """Output size along one axis; a clear error when the window does not fit."""
    span = dilation * (k - 1) + 1
    if padding == "valid" and span > n:
        raise ValueError(
            f"{what} does not fit: its window covers {span} {axis} but the input has only {n}, "
            f"so the output would have fewer than 1 {axis[:-1]} (padding 'valid'); "
            "use padding='same', a smaller window, or fewer layers that shrink the input before it"
        )
    return output_size(n, k, stride=stride, padding=padding, dilation=dilation)


def _spatial_pair(rows, cols, kernel, stride, padding, dilation, what):
    return _spatial_sizes((rows, cols), kernel, stride, padding, dilation, what)


def _spatial_sizes(sizes, kernel, stride, padding, dilation, what):
    """Output size along every spatial axis (1, 2 or 3 of them)."""
    return tuple(
        _spatial(n, k, s, padding, d, axis, what)
        for n, k, s, d, axis in zip(sizes, kernel, stride, dilation, _AXES[len(sizes)])
    )


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
    kh, kw = _checks.pair(kernel, "kernel")
    in_channels = _checks.integer(in_channels, "in_channels", minimum=1)
    filters = _checks.integer(filters, "filters", minimum=1)
    groups = _checks.integer(groups, "groups", minimum=1)
    bias = _checks.boolean(bias, "bias")
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
    inputs = _checks.integer(inputs, "inputs", minimum=1)
    units = _checks.integer(units, "units", minimum=1)
    bias = _checks.boolean(bias, "bias")
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
    """Base of the layer specs: validated, immutable, pure arithmetic.

    Each spec also converts itself to and from Keras: :meth:`to_keras`
    builds the layer it describes, :meth:`from_keras` reads one of the Keras
    classes named in ``keras_names`` back from its configuration.
    """

    short = "layer"
    keras_names = ()

    @property
    def keras_class(self):
        """The name of the Keras layer class this spec describes."""
        return type(self).__name__

    def _set(self, field, value):
        object.__setattr__(self, field, value)

    def _slide(self, shape):
        """Input channels and output ``(rows, cols)`` of this convolution's window on ``shape``."""
        rows, cols, channels = _image(shape, self.keras_class)
        what = f"the {_shape_text(self.kernel)} kernel"
        return channels, _spatial_pair(rows, cols, self.kernel, self.stride, self.padding, self.dilation, what)

    def _check_convolution(self):
        """Validate the fields every convolution spec has: window, stride, padding, dilation, bias, name."""
        self._set("kernel", _checks.pair(self.kernel, "kernel"))
        self._set("stride", _checks.pair(self.stride, "stride"))
        self._set("padding", _checks.padding(self.padding, words=_PADDINGS, allow_int=False))
        self._set("dilation", _checks.pair(self.dilation, "dilation"))
        self._set("bias", _checks.boolean(self.bias, "bias"))
        _checks.text(self.name, "name", optional=True)

    def step(self, shape):
        """Return a ``_Step`` for input ``shape`` (tuple, no batch axis)."""
        raise NotImplementedError

    def to_keras(self, name):
        """The Keras layer this spec describes, called ``name``."""
        raise NotImplementedError

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        """The spec of a Keras layer of class ``kind`` (one of ``keras_names``) from its config."""
        raise NotImplementedError


#: Convolution spec field -> the Keras argument (and config key) that holds it.
_KERAS_CONV_ARGS = {
    "filters": "filters",
    "kernel": "kernel_size",
    "stride": "strides",
    "padding": "padding",
    "depth_multiplier": "depth_multiplier",
    "dilation": "dilation_rate",
    "groups": "groups",
    "bias": "use_bias",
}


class _Convolution(_Spec):
    """The convolution specs convert to and from Keras through one table of field names."""

    def to_keras(self, name):
        from keras import layers

        fields = {field.name for field in dataclasses.fields(self)}
        arguments = {keras: getattr(self, field) for field, keras in _KERAS_CONV_ARGS.items() if field in fields}
        return getattr(layers, self.keras_class)(**arguments, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        fields = {field.name for field in dataclasses.fields(cls)}
        values = {
            field: tuple(config[keras]) if isinstance(config[keras], list) else config[keras]
            for field, keras in _KERAS_CONV_ARGS.items()
            if field in fields and keras in config
        }
        return cls(**values, name=config["name"])


@dataclasses.dataclass(frozen=True)
class Conv2D(_Convolution):
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
    >>> from cnnbook.params import layer_table
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
    keras_names = ("Conv2D",)
    short = "conv"

    def __post_init__(self):
        self._set("filters", _checks.integer(self.filters, "filters", minimum=1))
        self._set("groups", _checks.integer(self.groups, "groups", minimum=1))
        self._check_convolution()

    def step(self, shape):
        channels, out = self._slide(shape)
        if channels % self.groups or self.filters % self.groups:
            raise ValueError(
                f"groups={self.groups} must divide the {channels} input channels and the {self.filters} filters"
            )
        params = conv2d_params(self.kernel, channels, self.filters, self.bias, self.groups)
        per_output = self.kernel[0] * self.kernel[1] * channels // self.groups
        return _Step(
            (*out, self.filters), params, self.filters if self.bias else 0, out[0] * out[1] * self.filters * per_output
        )


@dataclasses.dataclass(frozen=True)
class _ConvND(_Convolution):
    """Conv1D and Conv3D: Conv2D's arithmetic over 1 or 3 spatial axes (no groups)."""

    filters: int
    kernel: object
    stride: object = 1
    padding: str = "valid"
    bias: bool = True
    dilation: object = 1
    name: str = None
    short = "conv"
    rank = None

    def __post_init__(self):
        self._set("filters", _checks.integer(self.filters, "filters", minimum=1))
        for field in ("kernel", "stride", "dilation"):
            self._set(field, _checks.sizes(getattr(self, field), field, self.rank))
        self._set("padding", _checks.padding(self.padding, words=_PADDINGS, allow_int=False))
        self._set("bias", _checks.boolean(self.bias, "bias"))
        _checks.text(self.name, "name", optional=True)

    def step(self, shape):
        *sizes, channels = _image(shape, self.keras_class, self.rank)
        what = f"the {_shape_text(self.kernel)} kernel"
        out = _spatial_sizes(sizes, self.kernel, self.stride, self.padding, self.dilation, what)
        per_output = math.prod(self.kernel) * channels
        biases = self.filters if self.bias else 0
        return _Step(
            (*out, self.filters), per_output * self.filters + biases, biases, math.prod(out) * self.filters * per_output
        )

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        if config.get("groups", 1) != 1:
            raise ValueError(f"layer {config['name']!r}: grouped {kind} is not supported")
        return super().from_keras(kind, config, input_shape)


class Conv1D(_ConvND):
    """A 1-D convolution over ``(length, channels)``, as ``keras.layers.Conv1D`` (chapter 9).

    Parameters
    ----------
    filters : int
    kernel : int or (int,)
        Samples the filter spans.
    stride, dilation : int or (int,), default 1
    padding : {"valid", "same"}, default "valid"
    bias : bool, default True
    name : str, optional

    Examples
    --------
    >>> from cnnbook.params import layer_table
    >>> [(row.output_shape, row.params) for row in layer_table((128, 1), [Conv1D(4, 9)])[1:]]
    [((120, 4), 40)]
    """

    keras_names = ("Conv1D",)
    rank = 1


class Conv3D(_ConvND):
    """A 3-D convolution over ``(depth, rows, cols, channels)``, as ``keras.layers.Conv3D`` (chapter 9).

    Parameters
    ----------
    filters : int
    kernel : int or (int, int, int)
    stride, dilation : int or (int, int, int), default 1
    padding : {"valid", "same"}, default "valid"
    bias : bool, default True
    name : str, optional

    Examples
    --------
    >>> from cnnbook.params import layer_table
    >>> [(row.output_shape, row.params) for row in layer_table((16, 16, 16, 1), [Conv3D(8, 3)])[1:]]
    [((14, 14, 14, 8), 224)]
    """

    keras_names = ("Conv3D",)
    rank = 3


@dataclasses.dataclass(frozen=True)
class DepthwiseConv2D(_Convolution):
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
    keras_names = ("DepthwiseConv2D",)
    short = "dwconv"

    def __post_init__(self):
        self._set("depth_multiplier", _checks.integer(self.depth_multiplier, "depth_multiplier", minimum=1))
        self._check_convolution()

    def step(self, shape):
        channels, out = self._slide(shape)
        out_channels = channels * self.depth_multiplier
        taps = self.kernel[0] * self.kernel[1]
        biases = out_channels if self.bias else 0
        return _Step((*out, out_channels), taps * out_channels + biases, biases, out[0] * out[1] * out_channels * taps)


@dataclasses.dataclass(frozen=True)
class SeparableConv2D(_Convolution):
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
    keras_names = ("SeparableConv2D",)
    short = "sepconv"

    def __post_init__(self):
        self._set("filters", _checks.integer(self.filters, "filters", minimum=1))
        self._set("depth_multiplier", _checks.integer(self.depth_multiplier, "depth_multiplier", minimum=1))
        self._check_convolution()

    def step(self, shape):
        channels, out = self._slide(shape)
        middle = channels * self.depth_multiplier
        depthwise = self.kernel[0] * self.kernel[1] * middle
        pointwise = middle * self.filters
        biases = self.filters if self.bias else 0
        return _Step(
            (*out, self.filters), depthwise + pointwise + biases, biases, out[0] * out[1] * (depthwise + pointwise)
        )


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
    >>> from cnnbook.params import layer_table
    >>> layer_table((28, 28, 32), [Pool(2)])[-1].output_shape
    (14, 14, 32)
    """

    size: object = 2
    stride: object = None
    padding: str = "valid"
    kind: str = "max"
    name: str = None
    keras_names = ("MaxPooling2D", "AveragePooling2D")
    short = "pool"

    def __post_init__(self):
        self._set("size", _checks.pair(self.size, "size"))
        self._set("stride", self.size if self.stride is None else _checks.pair(self.stride, "stride"))
        self._set("padding", _checks.padding(self.padding, words=_PADDINGS, allow_int=False))
        self._set("kind", _checks.choice(self.kind, "kind", ("max", "average")))
        _checks.text(self.name, "name", optional=True)

    @property
    def keras_class(self):
        return "MaxPooling2D" if self.kind == "max" else "AveragePooling2D"

    def step(self, shape):
        rows, cols, channels = _image(shape, self.keras_class)
        what = f"the {_shape_text(self.size)} pooling window"
        out = _spatial_pair(rows, cols, self.size, self.stride, self.padding, (1, 1), what)
        return _Step((*out, channels))

    def to_keras(self, name):
        from keras import layers

        pool = layers.MaxPooling2D if self.kind == "max" else layers.AveragePooling2D
        return pool(self.size, strides=self.stride, padding=self.padding, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        return cls(
            tuple(config["pool_size"]),
            tuple(config["strides"] or config["pool_size"]),
            config["padding"],
            "max" if kind == "MaxPooling2D" else "average",
            name=config["name"],
        )


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
    keras_names = ("GlobalAveragePooling2D", "GlobalMaxPooling2D")
    short = "gpool"

    def __post_init__(self):
        self._set("kind", _checks.choice(self.kind, "kind", ("average", "max")))
        self._set("keepdims", _checks.boolean(self.keepdims, "keepdims"))
        _checks.text(self.name, "name", optional=True)

    @property
    def keras_class(self):
        return "GlobalAveragePooling2D" if self.kind == "average" else "GlobalMaxPooling2D"

    def step(self, shape):
        channels = _image(shape, self.keras_class)[2]
        return _Step((1, 1, channels) if self.keepdims else (channels,))

    def to_keras(self, name):
        from keras import layers

        pool = layers.GlobalAveragePooling2D if self.kind == "average" else layers.GlobalMaxPooling2D
        return pool(keepdims=self.keepdims, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        return cls(
            "average" if kind == "GlobalAveragePooling2D" else "max", config.get("keepdims", False), name=config["name"]
        )


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
    >>> from cnnbook.params import layer_table
    >>> layer_table((81,), [Dense(20, bias=False)])[-1].params
    1620
    """

    units: int
    bias: bool = True
    name: str = None
    keras_names = ("Dense",)
    short = "dense"

    def __post_init__(self):
        self._set("units", _checks.integer(self.units, "units", minimum=1))
        self._set("bias", _checks.boolean(self.bias, "bias"))
        _checks.text(self.name, "name", optional=True)

    def step(self, shape):
        inputs = shape[-1]
        positions = math.prod(shape[:-1])
        return _Step(
            (*shape[:-1], self.units),
            dense_params(inputs, self.units, self.bias),
            self.units if self.bias else 0,
            positions * inputs * self.units,
        )

    def to_keras(self, name):
        from keras import layers

        return layers.Dense(self.units, use_bias=self.bias, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        return cls(config["units"], config["use_bias"], name=config["name"])


@dataclasses.dataclass(frozen=True)
class Flatten(_Spec):
    """Reshape to one long vector, as ``keras.layers.Flatten`` (chapter 4). No parameters.

    Parameters
    ----------
    name : str, optional
    """

    name: str = None
    keras_names = ("Flatten",)
    short = "flatten"

    def __post_init__(self):
        _checks.text(self.name, "name", optional=True)

    def step(self, shape):
        return _Step((math.prod(shape),))

    def to_keras(self, name):
        from keras import layers

        return layers.Flatten(name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        return cls(name=config["name"])


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
    keras_names = ("ZeroPadding2D",)
    short = "pad"

    def __post_init__(self):
        value = self.padding
        if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (tuple, list)) for v in value):
            pads = tuple(_checks.pair(v, "padding", minimum=0) for v in value)
        else:
            rows, cols = _checks.pair(value, "padding", minimum=0)
            pads = ((rows, rows), (cols, cols))
        self._set("padding", pads)
        _checks.text(self.name, "name", optional=True)

    @property
    def keras_class(self):
        return "ZeroPadding2D"

    def step(self, shape):
        rows, cols, channels = _image(shape, "ZeroPadding2D")
        (top, bottom), (left, right) = self.padding
        return _Step((rows + top + bottom, cols + left + right, channels))

    def to_keras(self, name):
        from keras import layers

        return layers.ZeroPadding2D(self.padding, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        return cls(tuple(tuple(pair) for pair in config["padding"]), name=config["name"])


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
    keras_names = ("BatchNormalization",)
    short = "bn"

    def __post_init__(self):
        self._set("center", _checks.boolean(self.center, "center"))
        self._set("scale", _checks.boolean(self.scale, "scale"))
        _checks.text(self.name, "name", optional=True)

    @property
    def keras_class(self):
        return "BatchNormalization"

    def step(self, shape):
        channels = shape[-1]
        return _Step(tuple(shape), channels * (2 + self.center + self.scale), channels if self.center else 0)

    def to_keras(self, name):
        from keras import layers

        return layers.BatchNormalization(center=self.center, scale=self.scale, name=name)

    @classmethod
    def from_keras(cls, kind, config, input_shape):
        axis = config["axis"]
        axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        if axis not in (-1, len(input_shape)):
            raise ValueError(
                f"layer {config['name']!r}: BatchNormalization over axis {axis!r} is not supported "
                "(only the channel axis, -1)"
            )
        return cls(config["center"], config["scale"], name=config["name"])


_SPECS = (
    Conv2D,
    Conv1D,
    Conv3D,
    DepthwiseConv2D,
    SeparableConv2D,
    Pool,
    GlobalPool,
    Dense,
    Flatten,
    ZeroPad,
    BatchNorm,
)
_BY_KERAS_NAME = {keras_name: spec for spec in _SPECS for keras_name in spec.keras_names}
