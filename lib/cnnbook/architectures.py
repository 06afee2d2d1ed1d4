"""The classic CNN architectures of chapter 9 ("Architectures"), built in Keras.

Networks that ``keras.applications`` does not ship are built here by hand,
with the sizes their papers publish:

- :func:`lenet_1989`: LeCun et al.'s zip-code network (1989): two
  convolutions with stride 2 and no separate pooling;
- :func:`lenet5`: LeNet-5 (1998), with average pooling ("subsampling");
- :func:`alexnet`: AlexNet (2012), as one tower or split into two like the
  two-GPU original (grouped convolutions);
- :func:`alphago_policy`: the policy network of AlphaGo (2016).

The building blocks of the later networks, small enough to read:
:func:`inception_block`, :func:`residual_block` (also in its
pre-activation form), :func:`bottleneck_block` and ``_dense_block``
(with :func:`inception_demo`, :func:`resnet_block_demo`,
:func:`bottleneck_demo` and :func:`densenet_block_demo` around them), plus
:func:`gradient_norms_by_depth`, which measures how far the gradient of a
loss reaches down a deep stack of blocks with and without skip connections.

Every count in chapter 9 comes from :mod:`cnnbook.params`
(``keras_layer_table`` on these models), never from this module.
"""

import numpy as np

from . import _checks

__all__ = [
    "LocalResponseNormalization",
    "lenet_1989",
    "lenet5",
    "alexnet",
    "alphago_policy",
    "inception_block",
    "inception_demo",
    "residual_block",
    "resnet_block_demo",
    "bottleneck_block",
    "bottleneck_demo",
    "densenet_block_demo",
    "gradient_norms_by_depth",
]


def _image_shape(value, name="input_shape"):
    return _checks.shape(value, name, 3, "(rows, cols, channels)")


# ---------------------------------------------------------------------------
# AlexNet's normalisation layer
# ---------------------------------------------------------------------------


def _lrn_class():
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="cnnbook")
    class LocalResponseNormalization(keras.layers.Layer):
        """AlexNet's local response normalisation across channels (chapter 9).

        Each value is divided by a power of the sum of squares of the values
        at the same position in the ``2 * depth_radius + 1`` neighbouring
        channels (zeros beyond the first and last channel):

        .. math:: b_c = a_c \\Big/ \\Big(k + \\alpha \\sum_{j=c-r}^{c+r} a_j^2\\Big)^{\\beta}

        The defaults are the paper's ``k = 2``, ``n = 5`` (``r = 2``),
        ``alpha = 1e-4``, ``beta = 0.75``, the same formula as
        ``tf.nn.local_response_normalization``. Keras 3 has no such layer;
        this one has no weights, so ``cnnbook.params`` counts it as zero
        parameters and zero multiply-adds. Batch normalisation replaced it in
        later networks.

        Parameters
        ----------
        depth_radius : int, default 2
        bias : float, default 2.0
        alpha : float, default 1e-4
        beta : float, default 0.75
        **kwargs
            Passed to ``keras.layers.Layer`` (``name``, ...).
        """

        def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
            super().__init__(**kwargs)
            self.depth_radius = _checks.integer(depth_radius, "depth_radius", minimum=0)
            self.bias = _checks.number(bias, "bias", positive=True)
            self.alpha = _checks.number(alpha, "alpha", minimum=0.0)
            self.beta = _checks.number(beta, "beta", minimum=0.0)

        def call(self, inputs):
            radius = self.depth_radius
            channels = inputs.shape[-1]
            squared = ops.square(inputs)
            padding = [[0, 0]] * (len(inputs.shape) - 1) + [[radius, radius]]
            padded = ops.pad(squared, padding)
            window_sum = sum(padded[..., i : i + channels] for i in range(2 * radius + 1))
            return inputs / ops.power(self.bias + self.alpha * window_sum, self.beta)

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            config = super().get_config()
            config.update(depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta)
            return config

    return LocalResponseNormalization


_LRN = None


def __getattr__(name):
    # Built lazily so that importing cnnbook.architectures does not import Keras.
    global _LRN
    if name == "LocalResponseNormalization":
        if _LRN is None:
            _LRN = _lrn_class()
        return _LRN
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# The hand-built networks
# ---------------------------------------------------------------------------


def lenet_1989():
    """LeCun et al.'s zip-code network of 1989, in Keras (chapter 9).

    A 16x16 grey digit; two convolution layers of 12 maps with 5x5 kernels
    and stride 2 (the stride does the down-sampling: there is no separate
    pooling layer); a hidden layer of 30 units; 10 outputs. All units use
    ``tanh``. Keras pads with zeros where the paper padded with the
    background value; the shapes are the same.

    Two details of the paper are not standard Keras layers, so this model is
    the closest standard one (chapter 9 reconciles the counts): in the paper
    every unit of H1 and H2 has its own bias, and each H2 map sees only 8 of
    the 12 H1 maps.

    Returns
    -------
    keras.Sequential
        Layers ``h1``, ``h2``, ``flatten``, ``h3``, ``output``.

    Examples
    --------
    >>> from cnnbook.params import keras_layer_table, totals
    >>> totals(keras_layer_table(lenet_1989()))["params"]
    10024
    """
    import keras
    from keras import layers

    # fmt: off
    return keras.Sequential([
        keras.Input(shape=(16, 16, 1)),                                                     # 16x16 digit
        layers.Conv2D(12, 5, strides=2, padding="same", activation="tanh", name="h1"),       # 8x8x12
        layers.Conv2D(12, 5, strides=2, padding="same", activation="tanh", name="h2"),       # 4x4x12
        layers.Flatten(name="flatten"),                                                     # 192
        layers.Dense(30, activation="tanh", name="h3"),                                     # 30
        layers.Dense(10, activation="tanh", name="output"),                                 # 10
    ], name="lenet_1989")


def lenet5(num_classes=10):
    """LeNet-5 (LeCun et al., 1998) with today's standard layers (chapter 9).

    32x32 input; C1: 6 maps 5x5; S2: 2x2 average pooling; C3: 16 maps 5x5;
    S4: 2x2 average pooling; C5: 120 maps 5x5 (1x1 output); F6: 84 units;
    a softmax output. The paper's version differs in three places, which
    change the parameter count (an exercise of chapter 9): its subsampling
    layers have a trainable weight and bias per map, C3 connects each map to
    only some of S2's maps, and the output is a layer of fixed RBF units.

    Parameters
    ----------
    num_classes : int, default 10

    Returns
    -------
    keras.Sequential
        Layers ``c1``, ``s2``, ``c3``, ``s4``, ``c5``, ``flatten``, ``f6``, ``output``.

    Examples
    --------
    >>> lenet5().count_params()
    61706
    """
    import keras
    from keras import layers

    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 1)),
            layers.Conv2D(6, 5, activation="tanh", name="c1"),  # 28x28x6
            layers.AveragePooling2D(2, name="s2"),  # 14x14x6
            layers.Conv2D(16, 5, activation="tanh", name="c3"),  # 10x10x16
            layers.AveragePooling2D(2, name="s4"),  # 5x5x16
            layers.Conv2D(120, 5, activation="tanh", name="c5"),  # 1x1x120
            layers.Flatten(name="flatten"),  # 120
            layers.Dense(84, activation="tanh", name="f6"),  # 84
            layers.Dense(num_classes, activation="softmax", name="output"),  # 10
        ],
        name="lenet5",
    )


def alexnet(input_shape=(227, 227, 3), num_classes=1000, two_towers=False, dropout=0.5):
    """AlexNet (Krizhevsky, Sutskever and Hinton, 2012) in Keras (chapter 9).

    Five convolution layers and three dense layers (the "8 layers"), ReLU
    after each but the last, local response normalisation after conv1 and
    conv2, 3x3 max pooling with stride 2 after the normalisations and after
    conv5, dropout before fc7 and fc8:

    ======  ===========================  ==========
    layer   what                          output
    ======  ===========================  ==========
    conv1   96 filters 11x11, stride 4    55x55x96
    pool1   3x3, stride 2                 27x27x96
    conv2   256 filters 5x5, same         27x27x256
    pool2                                 13x13x256
    conv3   384 filters 3x3, same         13x13x384
    conv4   384 filters 3x3, same         13x13x384
    conv5   256 filters 3x3, same         13x13x256
    pool5                                 6x6x256
    fc6     4096 units                    4096
    fc7     4096 units                    4096
    fc8     1000 units, softmax           1000
    ======  ===========================  ==========

    The paper says 224x224 inputs, but an 11x11 window with stride 4 gives
    55x55 only from 227x227 (chapter 9 shows why); 227 is the default.

    Parameters
    ----------
    input_shape : tuple of int, default (227, 227, 3)
    num_classes : int, default 1000
    two_towers : bool, default False
        Split the network into the paper's two halves, one per GPU: conv2,
        conv4 and conv5 become grouped convolutions (``groups=2``), each
        half seeing only the maps of its own GPU; conv3 and the dense
        layers connect across both. This is the network with "60 million
        parameters" of the paper. Keras builds grouped convolutions on any
        device, but TensorFlow runs them only on a GPU.
    dropout : float, default 0.5
        Dropout rate before fc7 and fc8, in [0, 1).

    Returns
    -------
    keras.Sequential

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range, or the input is too
        small for the layers (Keras's message).

    Examples
    --------
    >>> alexnet().count_params()
    62378344
    >>> alexnet(two_towers=True).count_params()
    60965224
    """
    import keras
    from keras import layers

    input_shape = _image_shape(input_shape)
    num_classes = _checks.integer(num_classes, "num_classes", minimum=1)
    groups = 2 if _checks.boolean(two_towers, "two_towers") else 1
    dropout = _checks.number(dropout, "dropout", minimum=0.0, maximum=1.0)
    if dropout == 1.0:
        raise ValueError("dropout must be in [0, 1); got 1.0")
    lrn = __getattr__("LocalResponseNormalization")
    # fmt: off
    return keras.Sequential([
        keras.Input(shape=input_shape),                                                        # 227x227x3
        layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1"),                     # 55x55x96
        lrn(name="norm1"),
        layers.MaxPooling2D(3, strides=2, name="pool1"),                                       # 27x27x96
        layers.Conv2D(256, 5, padding="same", activation="relu", groups=groups, name="conv2"),  # 27x27x256
        lrn(name="norm2"),
        layers.MaxPooling2D(3, strides=2, name="pool2"),                                       # 13x13x256
        layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3"),                 # 13x13x384
        layers.Conv2D(384, 3, padding="same", activation="relu", groups=groups, name="conv4"),  # 13x13x384
        layers.Conv2D(256, 3, padding="same", activation="relu", groups=groups, name="conv5"),  # 13x13x256
        layers.MaxPooling2D(3, strides=2, name="pool5"),                                       # 6x6x256
        layers.Flatten(name="flatten"),                                                        # 9216
        layers.Dense(4096, activation="relu", name="fc6"),
        layers.Dropout(dropout, name="dropout6"),
        layers.Dense(4096, activation="relu", name="fc7"),
        layers.Dropout(dropout, name="dropout7"),
        layers.Dense(num_classes, activation="softmax", name="fc8"),
    ], name="alexnet_two_towers" if two_towers else "alexnet")


def alphago_policy(filters=192, hidden_layers=11, board=19, planes=48):
    """The policy network of AlphaGo (Silver et al., 2016) in Keras (chapter 9).

    The board is a 19x19 image with 48 feature planes. Layer 1: ``filters``
    5x5 filters; layers 2 to 12: ``filters`` 3x3 filters; all with "same"
    zero padding, stride 1 and ReLU, so the board keeps its 19x19 size
    throughout (no pooling: every point is a possible move). Layer 13: one
    1x1 filter gives one score per point, and a softmax over the 361 points
    gives the probability of each move.

    The paper gives the last layer a separate bias for each point; a Keras
    ``Conv2D`` shares one bias over the board, so this model has 360 fewer
    parameters than the paper's.

    Parameters
    ----------
    filters : int, default 192
        ``k`` in the paper (192 in the match version).
    hidden_layers : int, default 11
        Number of 3x3 layers between the first and the last layer.
    board : int, default 19
    planes : int, default 48
        Input feature planes.

    Returns
    -------
    keras.Sequential
        ``hidden_layers + 2`` convolution layers ``conv1`` ... , then
        ``flatten`` and ``move_probabilities``.

    Examples
    --------
    >>> sum(type(layer).__name__ == "Conv2D" for layer in alphago_policy().layers)
    13
    """
    import keras
    from keras import layers

    filters = _checks.integer(filters, "filters", minimum=1)
    hidden_layers = _checks.integer(hidden_layers, "hidden_layers", minimum=0)
    board = _checks.integer(board, "board", minimum=1)
    planes = _checks.integer(planes, "planes", minimum=1)
    # fmt: off
    stack = [
        keras.Input(shape=(board, board, planes)),                                   # 19x19x48
        layers.Conv2D(filters, 5, padding="same", activation="relu", name="conv1"),  # 19x19x192
    ]
    stack += [layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")  # 19x19x192
              for i in range(2, hidden_layers + 2)]
    stack += [
        layers.Conv2D(1, 1, name=f"conv{hidden_layers + 2}"),                        # 19x19x1
        layers.Flatten(name="flatten"),                                              # 361
        layers.Softmax(name="move_probabilities"),                                   # 361
    ]
    return keras.Sequential(stack, name="alphago_policy")


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


def inception_block(x, f1, f3, f5, pool_proj=None, f3_reduce=None, f5_reduce=None, name="inception"):
    """An Inception module (GoogLeNet, Szegedy et al., 2015) on a Keras tensor (chapter 9).

    Four branches look at the same input with different window sizes and
    their outputs are stacked along the channels:

    - 1x1 convolution with ``f1`` filters;
    - 3x3 convolution with ``f3`` filters, after a 1x1 "reduce" convolution
      to ``f3_reduce`` channels if given;
    - 5x5 convolution with ``f5`` filters, after a 1x1 reduce to
      ``f5_reduce`` channels if given;
    - 3x3 max pooling (stride 1), then a 1x1 convolution with ``pool_proj``
      filters if given (otherwise the input channels pass through).

    Without the three optional 1x1 layers this is the paper's "naive"
    module; with them, the module GoogLeNet uses. All convolutions use
    "same" padding and ReLU, so every branch keeps the input's rows and
    columns.

    Parameters
    ----------
    x : Keras tensor
        ``(batch, rows, cols, channels)``.
    f1, f3, f5 : int
    pool_proj, f3_reduce, f5_reduce : int, optional
    name : str, default "inception"
        Prefix of the layer names.

    Returns
    -------
    Keras tensor
        ``f1 + f3 + f5 + (pool_proj or channels)`` channels.
    """
    from keras import layers

    f1, f3, f5 = (_checks.integer(value, label, minimum=1) for value, label in ((f1, "f1"), (f3, "f3"), (f5, "f5")))
    pool_proj = None if pool_proj is None else _checks.integer(pool_proj, "pool_proj", minimum=1)
    f3_reduce = None if f3_reduce is None else _checks.integer(f3_reduce, "f3_reduce", minimum=1)
    f5_reduce = None if f5_reduce is None else _checks.integer(f5_reduce, "f5_reduce", minimum=1)
    name = _checks.text(name, "name")

    def conv(tensor, filters, size, label):
        return layers.Conv2D(filters, size, padding="same", activation="relu", name=f"{name}_{label}")(tensor)

    branch1 = conv(x, f1, 1, "1x1")
    branch3 = conv(x, f3_reduce, 1, "3x3_reduce") if f3_reduce else x
    branch3 = conv(branch3, f3, 3, "3x3")
    branch5 = conv(x, f5_reduce, 1, "5x5_reduce") if f5_reduce else x
    branch5 = conv(branch5, f5, 5, "5x5")
    branch_pool = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    if pool_proj:
        branch_pool = conv(branch_pool, pool_proj, 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_concat")([branch1, branch3, branch5, branch_pool])


def inception_demo(reduce=True, input_shape=(28, 28, 192)):
    """GoogLeNet's module "inception (3a)" as a one-block model (chapter 9).

    Input 28x28x192; branches of 64 (1x1), 128 (3x3) and 32 (5x5) filters;
    with ``reduce`` the 1x1 layers of 96 and 16 channels before the 3x3 and
    5x5 convolutions and 32 after the pooling, as in the paper's table.

    Parameters
    ----------
    reduce : bool, default True
        False builds the "naive" module without the 1x1 layers.
    input_shape : tuple of int, default (28, 28, 192)

    Returns
    -------
    keras.Model
    """
    import keras

    input_shape = _image_shape(input_shape)
    options = {"pool_proj": 32, "f3_reduce": 96, "f5_reduce": 16} if _checks.boolean(reduce, "reduce") else {}
    inputs = keras.Input(shape=input_shape, name="input")
    outputs = inception_block(inputs, 64, 128, 32, name="3a", **options)
    return keras.Model(inputs, outputs, name="inception_3a" if reduce else "naive_inception")


def residual_block(x, filters, stride=1, shortcut=True, batch_norm=True, preactivation=False, name="block"):
    """ResNet's basic block (He et al., 2016) on a Keras tensor (chapter 9).

    Two 3x3 convolutions (the first with ``stride``), each followed by batch
    normalisation, a ReLU between them; the block's input is added to their
    output (the skip connection) and a ReLU follows. When the stride or the
    number of channels changes, the input goes through a 1x1 convolution
    with the same stride (a "projection") so that the shapes match.

    With ``preactivation`` it is the block of ResNet v2 (He et al., "Identity
    mappings in deep residual networks", 2016): batch normalisation and ReLU
    come *before* each convolution, and nothing follows the addition, so the
    skip path from the block's input to its output is exactly the identity.

    Parameters
    ----------
    x : Keras tensor
    filters : int
    stride : int, default 1
    shortcut : bool, default True
        False drops the skip connection: the "plain" block the paper
        compares with.
    batch_norm : bool, default True
        False drops batch normalisation (the convolutions then get biases).
    preactivation : bool, default False
        True: the pre-activation (v2) order, BN -> ReLU -> convolution.
    name : str, default "block"

    Returns
    -------
    Keras tensor
    """
    from keras import layers

    filters = _checks.integer(filters, "filters", minimum=1)
    stride = _checks.integer(stride, "stride", minimum=1)
    _checks.boolean(shortcut, "shortcut")
    _checks.boolean(batch_norm, "batch_norm")
    _checks.boolean(preactivation, "preactivation")
    name = _checks.text(name, "name")

    def conv(tensor, size, step, label):
        return layers.Conv2D(
            filters, size, strides=step, padding="same", use_bias=not batch_norm, name=f"{name}_{label}"
        )(tensor)

    def conv_bn(tensor, size, step, label):
        tensor = conv(tensor, size, step, label)
        return layers.BatchNormalization(name=f"{name}_{label}_bn")(tensor) if batch_norm else tensor

    def bn_relu(tensor, label):
        if batch_norm:
            tensor = layers.BatchNormalization(name=f"{name}_{label}_bn")(tensor)
        return layers.ReLU(name=f"{name}_{label}_relu")(tensor)

    if preactivation:
        ready = bn_relu(x, "pre1")
        y = conv(ready, 3, stride, "conv1")
        y = conv(bn_relu(y, "pre2"), 3, 1, "conv2")
        if not shortcut:
            return y
        skip = x
        if stride != 1 or x.shape[-1] != filters:
            skip = conv(ready, 1, stride, "projection")
        return layers.Add(name=f"{name}_add")([skip, y])

    y = conv_bn(x, 3, stride, "conv1")
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = conv_bn(y, 3, 1, "conv2")
    if shortcut:
        skip = x
        if stride != 1 or x.shape[-1] != filters:
            skip = conv_bn(x, 1, stride, "projection")
        y = layers.Add(name=f"{name}_add")([skip, y])
    return layers.ReLU(name=f"{name}_out")(y)


def _blocks_model(input_shape, name, *blocks):
    """A Keras model called ``name``: the ``blocks``, functions of a Keras tensor, applied in turn to an input."""
    import keras

    inputs = keras.Input(shape=_image_shape(input_shape), name="input")
    x = inputs
    for block in blocks:
        x = block(x)
    return keras.Model(inputs, x, name=name)


def resnet_block_demo(input_shape=(56, 56, 64)):
    """Two basic blocks: one with an identity skip, one that halves the map (chapter 9).

    The sizes of ResNet-34's first stage: a block of 64 filters on a
    56x56x64 map (the skip is the identity), then a block of 128 filters
    with stride 2 (the skip is a 1x1 projection with stride 2).

    Parameters
    ----------
    input_shape : tuple of int, default (56, 56, 64)
        The map the first block takes; by default the size of ResNet-34's stem output.

    Returns
    -------
    keras.Model
        Named ``"resnet_blocks"``, its layers ``identity_*`` and ``down_*``.
    """
    return _blocks_model(
        input_shape,
        "resnet_blocks",
        lambda x: residual_block(x, 64, name="identity"),  # 56x56x64
        lambda x: residual_block(x, 128, stride=2, name="down"),  # 28x28x128
    )


def bottleneck_block(x, filters, stride=1, name="block"):
    """ResNet-50's bottleneck block on a Keras tensor (chapter 9).

    Three convolutions, each followed by batch normalisation: a 1x1 that
    reduces the channels to ``filters`` (with ``stride``, as Keras's
    ResNet50 places it), a 3x3 on those few channels, and a 1x1 that expands
    them to ``4 * filters``; ReLUs between them and after the addition of the
    skip connection. The skip is a 1x1 projection with the same stride when
    the shape changes, the identity otherwise. The block is wide at its ends
    and thin in the middle, so its 3x3 convolution, the expensive part, works
    on a quarter of the channels.

    Parameters
    ----------
    x : Keras tensor
    filters : int
        Channels of the middle (the block outputs ``4 * filters``).
    stride : int, default 1
    name : str, default "block"

    Returns
    -------
    Keras tensor
    """
    from keras import layers

    filters = _checks.integer(filters, "filters", minimum=1)
    stride = _checks.integer(stride, "stride", minimum=1)
    name = _checks.text(name, "name")

    def conv_bn(tensor, channels, size, step, label):
        tensor = layers.Conv2D(channels, size, strides=step, padding="same", use_bias=False, name=f"{name}_{label}")(
            tensor
        )
        return layers.BatchNormalization(name=f"{name}_{label}_bn")(tensor)

    y = layers.ReLU(name=f"{name}_relu1")(conv_bn(x, filters, 1, stride, "reduce"))
    y = layers.ReLU(name=f"{name}_relu2")(conv_bn(y, filters, 3, 1, "3x3"))
    y = conv_bn(y, 4 * filters, 1, 1, "expand")
    skip = x
    if stride != 1 or x.shape[-1] != 4 * filters:
        skip = conv_bn(x, 4 * filters, 1, stride, "projection")
    y = layers.Add(name=f"{name}_add")([skip, y])
    return layers.ReLU(name=f"{name}_out")(y)


def bottleneck_demo(input_shape=(56, 56, 64)):
    """The first two bottleneck blocks of ResNet-50 (chapter 9).

    Stage conv2 of ResNet-50 on the 56x56x64 map its stem makes: a block
    from 64 to 256 channels (the skip is a 1x1 projection), then a block
    from 256 to 256 channels (the skip is the identity).

    Parameters
    ----------
    input_shape : tuple of int, default (56, 56, 64)
        The map the first block takes; by default the size of ResNet-50's stem output.

    Returns
    -------
    keras.Model
        Named ``"bottleneck_blocks"``, its layers ``first_*`` and ``second_*``.
    """
    return _blocks_model(
        input_shape,
        "bottleneck_blocks",
        lambda x: bottleneck_block(x, 64, name="first"),  # 56x56x256, projection skip
        lambda x: bottleneck_block(x, 64, name="second"),  # 56x56x256, identity skip
    )


def _dense_block(x, num_layers, growth_rate, bottleneck=False, name="dense"):
    """A DenseNet dense block (Huang et al., 2017) on a Keras tensor (chapter 9).

    Each of the ``num_layers`` layers applies batch normalisation, ReLU and
    a 3x3 convolution with ``growth_rate`` filters to everything before it
    (the block's input and all earlier layers' outputs, concatenated), and
    its output is concatenated to that stack. The channels grow by
    ``growth_rate`` per layer. With ``bottleneck`` (DenseNet-B, used by
    DenseNet-121) each layer first reduces the stack with BN, ReLU and a
    1x1 convolution to ``4 * growth_rate`` channels.

    Parameters
    ----------
    x : Keras tensor
    num_layers : int
    growth_rate : int
    bottleneck : bool, default False
    name : str, default "dense"

    Returns
    -------
    Keras tensor
        ``channels + num_layers * growth_rate`` channels.
    """
    from keras import layers

    num_layers = _checks.integer(num_layers, "num_layers", minimum=1)
    growth_rate = _checks.integer(growth_rate, "growth_rate", minimum=1)
    _checks.boolean(bottleneck, "bottleneck")
    name = _checks.text(name, "name")
    for i in range(1, num_layers + 1):
        y = x
        if bottleneck:
            y = layers.BatchNormalization(name=f"{name}{i}_bn0")(y)
            y = layers.ReLU(name=f"{name}{i}_relu0")(y)
            y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}{i}_1x1")(y)
        y = layers.BatchNormalization(name=f"{name}{i}_bn")(y)
        y = layers.ReLU(name=f"{name}{i}_relu")(y)
        y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}{i}_3x3")(y)
        x = layers.Concatenate(name=f"{name}{i}_concat")([x, y])
    return x


def densenet_block_demo(input_shape=(16, 16, 24), num_layers=4, growth_rate=12, bottleneck=False):
    """One dense block as a model (chapter 9).

    Parameters
    ----------
    input_shape : tuple of int, default (16, 16, 24)
    num_layers : int, default 4
    growth_rate : int, default 12
    bottleneck : bool, default False

    Returns
    -------
    keras.Model
    """
    import keras

    inputs = keras.Input(shape=_image_shape(input_shape), name="input")
    outputs = _dense_block(inputs, num_layers, growth_rate, bottleneck=bottleneck)
    return keras.Model(inputs, outputs, name="_dense_block")


# ---------------------------------------------------------------------------
# Gradients through deep stacks
# ---------------------------------------------------------------------------


def gradient_norms_by_depth(
    blocks=16, shortcut=True, batch_norm=False, width=16, size=8, batch=8, seed=0, preactivation=False
):
    """How much of a loss's gradient reaches each depth of a fresh stack of blocks (chapter 9).

    Builds ``blocks`` :func:`residual_block` s (two 3x3 convolutions each,
    with or without the skip connection and batch normalisation) with
    Keras's default initialisation, passes a random batch through them
    under ``tf.GradientTape`` (batch normalisation in training mode, as
    when the network is trained), and takes the loss
    ``sum(output * r)`` for a fixed random ``r``: its gradient with respect
    to the output is ``r`` whatever the network computes, so the numbers
    show only what the layers do to the gradient on its way down.

    Parameters
    ----------
    blocks : int, default 16
    shortcut : bool, default True
    batch_norm : bool, default False
    width : int, default 16
        Channels of every block.
    size : int, default 8
        Rows and columns of the feature maps.
    batch : int, default 8
    seed : int, default 0
        Seeds the weights (:func:`cnnbook.env.seed_everything`) and the data.
    preactivation : bool, default False
        Pre-activation (ResNet v2) blocks, as :func:`residual_block`.

    Returns
    -------
    numpy.ndarray
        ``blocks + 1`` norms of ``dL/dx_l``: index 0 is the stack's input,
        index ``blocks`` its output (where the norm is that of ``r``).

    Examples
    --------
    >>> norms = gradient_norms_by_depth(blocks=2)  # doctest: +SKIP
    >>> norms.shape  # doctest: +SKIP
    (3,)
    """
    import keras
    import tensorflow as tf

    from .env import seed_everything

    blocks = _checks.integer(blocks, "blocks", minimum=1)
    _checks.boolean(shortcut, "shortcut")
    _checks.boolean(batch_norm, "batch_norm")
    width = _checks.integer(width, "width", minimum=1)
    size = _checks.integer(size, "size", minimum=1)
    batch = _checks.integer(batch, "batch", minimum=1)
    _checks.boolean(preactivation, "preactivation")
    seed_everything(_checks.integer(seed, "seed", minimum=0))
    stack = []
    for i in range(1, blocks + 1):
        inputs = keras.Input(shape=(size, size, width))
        outputs = residual_block(
            inputs, width, shortcut=shortcut, batch_norm=batch_norm, preactivation=preactivation, name=f"block{i}"
        )
        stack.append(keras.Model(inputs, outputs))
    rng = np.random.default_rng(seed)
    x = tf.constant(rng.standard_normal((batch, size, size, width)), dtype="float32")
    direction = tf.constant(rng.standard_normal((batch, size, size, width)), dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        states = [x]
        for block in stack:
            states.append(block(states[-1], training=True))
        loss = tf.reduce_sum(states[-1] * direction)
    gradients = tape.gradient(loss, states)
    return np.array([float(tf.norm(g)) for g in gradients])
