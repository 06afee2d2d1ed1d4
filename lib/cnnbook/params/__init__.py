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
:func:`format_table` prints them as text (the parameter calculator of
chapter 4 shows them as HTML); :func:`count_weight_layers` counts the layers
papers count.

Three modules, one idea each: :mod:`~cnnbook.params.specs` (the layer
specs and the formulas), :mod:`~cnnbook.params.tables` (rows, totals,
text and HTML) and :mod:`~cnnbook.params.keras_bridge` (Keras models in and
out; each spec converts itself to and from its Keras layer). Import
everything from ``cnnbook.params``.

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

from . import keras_bridge, specs, tables
from .keras_bridge import *  # noqa: F403
from .specs import *  # noqa: F403
from .tables import *  # noqa: F403

__all__ = specs.__all__ + tables.__all__ + keras_bridge.__all__
