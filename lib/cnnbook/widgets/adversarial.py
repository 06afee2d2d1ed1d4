"""How to confuse a CNN: move an epsilon slider and watch one digit's prediction change.

Chapter 10. The fast gradient sign method adds ``epsilon * sign(d loss / d x)``
to a digit (clipped to [0, 1]). The sign depends only on the digit, so it is
computed once when a digit is chosen; moving the slider is then one numpy
add and clip, one forward pass of the model on a single image and three
small PNGs.
"""

import ipywidgets as widgets
import numpy as np

from .. import _checks
from ._base import BookWidget
from ._media import array_to_png, figure_to_rgb

__all__ = ["AdversarialExplorer"]

_PIXELS = 168  # on-screen size of each of the three images
_STANDIN_DPI = 144  # the animation's frames: twice the 72 dpi of the first edition


class AdversarialExplorer(BookWidget):
    """An epsilon slider on one digit: the perturbed image, the perturbation, the prediction.

    Chapter 10 ("How to confuse a CNN"). Controls: the digit (its index,
    typed) and epsilon, the largest change of any pixel. Shows the original
    digit, the perturbation actually added (after clipping to [0, 1]), the
    adversarial digit, and the model's class probabilities for it.

    Parameters
    ----------
    model : keras.Sequential
        A classifier of ``(28, 28, 1)`` images in [0, 1] ending in a Dense
        layer (as :func:`cnnbook.interpret._loss_gradient_sign` needs).
    images : array_like, shape (N, 28, 28) or (N, 28, 28, 1)
        uint8 (0-255) or floats in [0, 1].
    labels : sequence of int
        The true class of each image.
    epsilon_max : float
        The slider's largest epsilon (0 < epsilon_max <= 1).
    index : int
        The digit shown first.

    Raises
    ------
    TypeError, ValueError
        For a model that :mod:`cnnbook.interpret` cannot use, badly shaped
        images, labels of the wrong length, or a bad ``epsilon_max``/``index``.
    """

    def __init__(self, model, images, labels, epsilon_max=0.3, index=0):
        array = _checks.array(images, "images", (3, 4), "(N, rows, cols) or (N, rows, cols, 1)")
        if array.ndim == 3:
            array = array[..., np.newaxis]
        self.images = _checks.float_image(array, "images", ndim=4, layout="(N, rows, cols, 1)").astype(np.float32)
        self.model = model
        self.num_classes = int(model.outputs[0].shape[-1]) if hasattr(model, "outputs") else 0
        labels = _checks.array(labels, "labels", 1, "(N,)", kinds="iu")
        if len(labels) != len(self.images) or labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(
                f"labels must hold one class from 0 to {self.num_classes - 1} per image "
                f"({len(self.images)}); got {len(labels)} labels from {labels.min()} to {labels.max()}"
            )
        self.labels = labels.astype(np.int64)
        self.epsilon_max = _checks.number(epsilon_max, "epsilon_max", minimum=0, maximum=1, positive=True)
        self.index = _checks.integer(index, "index", 0, len(self.images) - 1)
        self._signs = {}
        self.gradient_sign(self.index)  # checks the model (cnnbook.interpret) before anything is shown
        self._epsilon = min(0.1, self.epsilon_max)

        self.index_box = widgets.IntText(value=self.index, description="digit")
        self.epsilon_slider = widgets.FloatSlider(
            value=self._epsilon, min=0.0, max=self.epsilon_max, step=0.01, description="epsilon", readout_format=".2f"
        )
        self.original_image = widgets.Image(format="png")
        self.perturbation_image = widgets.Image(format="png")
        self.adversarial_image = widgets.Image(format="png")
        self.info = widgets.HTML()
        self._observe(self.index_box, self._on_index)
        self._observe(self.epsilon_slider, self._on_epsilon)

        def captioned(image, text):
            return widgets.VBox([widgets.HTML(f"<b>{text}</b>"), image])

        self._assemble(
            widgets.HBox([self.index_box, self.epsilon_slider]),
            widgets.HBox(
                [
                    captioned(self.original_image, "original"),
                    captioned(self.perturbation_image, "perturbation (red +, blue -)"),
                    captioned(self.adversarial_image, "adversarial"),
                ]
            ),
            self.info,
        )
        self._show_digit()

    def state(self):
        """The digit and the epsilon shown."""
        return {"index": self.index, "epsilon": self._epsilon}

    def _controls(self):
        return {"index": self.index_box, "epsilon": self.epsilon_slider}

    # -- computation -----------------------------------------------------

    def gradient_sign(self, index):
        """``sign(d loss / d x)`` for digit ``index``, computed once and cached."""
        from ..interpret import _loss_gradient_sign

        if index not in self._signs:
            self._signs[index] = _loss_gradient_sign(self.model, self.images[index], self.labels[index])[0]
        return self._signs[index]

    def adversarial(self, epsilon):
        """The current digit moved by ``epsilon`` along the gradient sign, clipped to [0, 1]."""
        return np.clip(self.images[self.index] + epsilon * self.gradient_sign(self.index), 0.0, 1.0)

    def probabilities(self, image):
        """Class probabilities of one image: a single forward pass, no ``predict`` overhead."""
        return np.asarray(self.model(image[np.newaxis], training=False))[0]

    # -- events (guarded by BookWidget._observe) --------------------------------

    def _on_index(self, change):
        self.index = _checks.integer(change["new"], "digit", 0, len(self.images) - 1)
        self._show_digit()

    def _on_epsilon(self, change):
        self._epsilon = _checks.number(change["new"], "epsilon", minimum=0, maximum=self.epsilon_max)
        self._render()

    def _show_digit(self):
        self.gradient_sign(self.index)
        self.original_image.value = array_to_png(self.images[self.index][..., 0], vmin=0, vmax=1, scale=_PIXELS // 28)
        self._render()

    def _render(self):
        image = self.adversarial(self._epsilon)
        change = image - self.images[self.index]
        probabilities = self.probabilities(image)
        self.perturbation_image.value = array_to_png(
            change[..., 0], vmin=-self.epsilon_max, vmax=self.epsilon_max, cmap="RdBu_r", scale=_PIXELS // 28
        )
        self.adversarial_image.value = array_to_png(image[..., 0], vmin=0, vmax=1, scale=_PIXELS // 28)
        self.info.value = self._describe(self._epsilon, change, probabilities)

    def _describe(self, epsilon, change, probabilities):
        label = int(self.labels[self.index])
        predicted = int(np.argmax(probabilities))
        verdict = "still correct" if predicted == label else "<span style='color:#b00'><b>fooled</b></span>"
        bars = "".join(
            f"<tr><td style='padding:0 6px'>{digit}</td>"
            f"<td style='width:220px'><div style='background:{'#c0392b' if digit == predicted != label else '#2c7fb8'};"
            f"height:10px;width:{probability * 100:.1f}%'></div></td>"
            f"<td style='padding:0 6px;text-align:right'>{probability:.3f}</td></tr>"
            for digit, probability in enumerate(probabilities)
        )
        return (
            f"<p>digit {self.index}: true class <b>{label}</b>, predicted <b>{predicted}</b> "
            f"(probability {probabilities[predicted]:.3f}), {verdict}. epsilon {epsilon:.2f}: "
            f"largest pixel change {np.abs(change).max():.3f}, {np.mean(change != 0):.0%} of the pixels "
            f"changed.</p><table>{bars}</table>"
        )

    # -- BookWidget ------------------------------------------------------

    def _build_standin(self, steps=6):
        """Frames for the HTML book: the current digit at ``steps`` epsilons from 0 to the maximum."""
        import matplotlib.pyplot as plt

        frames = []
        label = int(self.labels[self.index])
        for epsilon in np.linspace(0.0, self.epsilon_max, steps):
            image = self.adversarial(epsilon)
            probabilities = self.probabilities(image)
            predicted = int(np.argmax(probabilities))
            fig, axes = plt.subplots(1, 4, figsize=(10, 2.6), width_ratios=(1, 1, 1, 1.4))
            panels = [
                (self.images[self.index][..., 0], "gray", 0, 1, "original"),
                (
                    (image - self.images[self.index])[..., 0],
                    "RdBu_r",
                    -self.epsilon_max,
                    self.epsilon_max,
                    "perturbation",
                ),
                (image[..., 0], "gray", 0, 1, f"adversarial: predicted {predicted}"),
            ]
            for axis, (picture, cmap, low, high, title) in zip(axes, panels):
                axis.imshow(picture, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
                axis.set_title(title, fontsize=9)
                axis.set_xticks([])
                axis.set_yticks([])
            colours = ["#c0392b" if digit == predicted != label else "#2c7fb8" for digit in range(self.num_classes)]
            axes[3].bar(range(self.num_classes), probabilities, color=colours)
            axes[3].set_xticks(range(self.num_classes))
            axes[3].set_ylim(0, 1)
            axes[3].set_xlabel("class")
            axes[3].set_ylabel("probability")
            axes[3].set_title(f"true class {label}", fontsize=9)
            fig.suptitle(f"FGSM with epsilon = {epsilon:.2f}")
            fig.tight_layout()
            frames.append(figure_to_rgb(fig, dpi=_STANDIN_DPI))
        return self._animation(
            frames,
            interval=700,
            title=f"Digit {self.index} (a {label}) under the fast gradient sign method, "
            f"epsilon from 0 to {self.epsilon_max:g}",
            alt="A digit, the perturbation added to it, the perturbed digit and the class probabilities",
        )

    @classmethod
    def example(cls):
        """The lecture CNN (trained on the MNIST sample) on the first 20 test digits of the sample."""
        from ..data import load_mnist_sample
        from ..models import trained_lecture_cnn

        _, (x_test, y_test) = load_mnist_sample()
        return cls(trained_lecture_cnn(), x_test[:20], y_test[:20])

    def benchmark_actions(self):
        """One epsilon step (the common action) and the next digit (computes a new gradient sign)."""

        def next_epsilon():
            step = self.epsilon_slider.step
            value = self.epsilon_slider.value + step
            self.epsilon_slider.value = 0.0 if value > self.epsilon_max + 1e-9 else round(value, 2)

        def next_digit():
            self.index_box.value = (self.index + 1) % len(self.images)

        return [next_epsilon, next_digit]
