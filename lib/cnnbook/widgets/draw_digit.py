"""Draw a digit (chapter 3): a trained CNN that runs in the page on what the reader draws.

The reader draws with the mouse, a pen or a finger; the drawing is
preprocessed as MNIST's digits were (the ink's bounding box scaled into
20x20, centred by its centre of mass in 28x28) and run through
:func:`cnnbook.draw.digit_cnn`'s trained weights in JavaScript
(``js/draw_digit.js``). The widget shows the 28x28 input, both convolution
layers' feature maps and the ten class probabilities, updating as the reader
draws. The same module runs live (anywidget, in Jupyter and Colab) and in
the static page, so the HTML book needs no kernel: all the work is in the
page, and Python only hands over the weights.
"""

import traitlets

from ..draw import _export_weights
from ._anywidget import BookAnyWidget

__all__ = ["DrawDigit"]


class DrawDigit(BookAnyWidget):
    """Draw a digit and watch a trained CNN's feature maps and probabilities (chapter 3).

    Parameters
    ----------
    model : keras.Model
        A :func:`cnnbook.draw.digit_cnn`, trained (e.g.
        :func:`cnnbook.draw.trained_digit_cnn`). Its float32 weights are
        copied into the page (45 KB).

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If it lacks the layers ``conv1``, ``conv2`` and ``logits`` of a
        :func:`cnnbook.draw.digit_cnn`.
    """

    _module = "draw_digit"
    #: The network's weights as the page reads them (float32, base64): see ``cnnbook.draw``.
    weights = traitlets.Dict().tag(sync=True)

    def __init__(self, model):
        super().__init__(weights=_export_weights(model))

    @classmethod
    def example(cls):
        """An untrained :func:`cnnbook.draw.digit_cnn` (seeded), for the benchmark and the tests."""
        from ..draw import digit_cnn
        from ..env import seed_everything

        seed_everything(0)
        return cls(digit_cnn())

    def benchmark_actions(self):
        """None: the widget computes in the page, never in the kernel (``tools/bench.py`` times the page)."""
        return []
