"""Feature-map viewer: pick an image, a layer and a channel of a trained CNN.

Chapter 3 ("Anatomy of a CNN") uses it on a small trained CNN; chapter 10
("What has a CNN learned") on any model ("choose an image and a layer, see
all channels"). One activation model is built once; the activations of an
image are computed the first time it is shown and cached by image index, so
every later control change only re-encodes a PNG.
"""

import html
import math

import ipywidgets as widgets
import numpy as np

from .. import _checks
from ._base import BookWidget
from ._media import array_to_png, figure_to_rgb

__all__ = ["FeatureMapViewer"]

_SINGLE_PIXELS = 224  # on-screen size of one enlarged map or input image
_MOSAIC_PIXELS = 360  # on-screen size of the all-channels mosaic
_STANDIN_DPI = 144  # the animation's frames: twice the 72 dpi of the first edition


def _colour_range(maps):
    """Colour map and limits: 'viridis' from 0 when no value is negative (ReLU outputs), else red-blue around 0."""
    low, high = float(np.min(maps)), float(np.max(maps))
    if low < 0:
        bound = max(-low, high, 1e-12)
        return "RdBu_r", -bound, bound
    return "viridis", 0.0, max(high, 1e-12)


def _feature_map_mosaic(maps, cmap=None, vmin=None, vmax=None):
    """All channels of one layer as one RGB image: a grid of tiles with white borders.

    Chapters 3 and 10. Tiles run in reading order (channel 0 at the top
    left) and share one colour scale, so their brightness can be compared.

    Parameters
    ----------
    maps : array_like, shape (H, W, C)
        One image's activations of one layer (channels-last).
    cmap : str, optional
        Matplotlib colour map; default ``"viridis"`` from 0 when all values
        are >= 0, else ``"RdBu_r"`` symmetric around 0.
    vmin, vmax : float, optional
        Colour limits (default: as for ``cmap``).

    Returns
    -------
    numpy.ndarray of uint8, shape (rows * (H + 1) + 1, cols * (W + 1) + 1, 3)
        ``cols = ceil(sqrt(C))``, ``rows = ceil(C / cols)``.

    Raises
    ------
    ValueError
        If ``maps`` is not a non-empty 3-D numeric array.

    Examples
    --------
    >>> _feature_map_mosaic(np.zeros((14, 14, 8))).shape
    (46, 46, 3)
    """
    from matplotlib import colormaps

    maps = np.asarray(maps)
    if maps.ndim != 3 or maps.size == 0 or not np.issubdtype(maps.dtype, np.number):
        raise ValueError(f"maps must be a non-empty numeric (H, W, C) array; got shape {maps.shape}")
    auto_cmap, auto_low, auto_high = _colour_range(maps)
    cmap = cmap or auto_cmap
    low = auto_low if vmin is None else vmin
    high = auto_high if vmax is None else vmax
    rows, cols, channels = maps.shape
    ncols = math.ceil(math.sqrt(channels))
    nrows = math.ceil(channels / ncols)
    normed = np.clip((maps.astype(np.float64) - low) / max(high - low, 1e-12), 0.0, 1.0)
    tiles = (colormaps[cmap](normed)[..., :3] * 255).astype(np.uint8)  # (H, W, C, 3)
    canvas = np.full((nrows * (rows + 1) + 1, ncols * (cols + 1) + 1, 3), 255, dtype=np.uint8)
    for channel in range(channels):
        grid_row, grid_col = divmod(channel, ncols)
        top, left = 1 + grid_row * (rows + 1), 1 + grid_col * (cols + 1)
        canvas[top : top + rows, left : left + cols] = tiles[:, :, channel]
    return canvas


def _spatial_layers(model):
    """Names of the layers (not the input) whose output is (batch, rows, cols, channels)."""
    import keras

    names = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4:
            names.append(layer.name)
    return names


class FeatureMapViewer(BookWidget):
    """See what each channel of a CNN layer computes for a chosen image.

    Chapter 3 ("Anatomy of a CNN") and chapter 10 ("What has a CNN
    learned"). Controls: the image index, the layer, the channel, and
    "show all channels" (every channel of the layer as one mosaic with a
    shared colour scale). One activation model is built in ``__init__``;
    each image's activations are computed once, on first view, and cached by
    image index.

    Parameters
    ----------
    model : keras.Model
        A built model with one input, channels-last.
    images : array_like, shape (N, H, W) or (N, H, W, C)
        Images in the model's input size; uint8 values are scaled to [0, 1],
        other numbers are used as they are.
    labels : sequence, optional
        One label per image, shown next to the prediction.
    layer_names : sequence of str, optional
        Layers to offer; each must output ``(batch, rows, cols, channels)``.
        Default: every such layer of ``model``.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model or ``images`` is not numeric.
    ValueError
        If the images do not fit the model's input, ``labels`` has the wrong
        length, or a layer name is unknown or not spatial.

    Examples
    --------
    >>> from cnnbook import data, models
    >>> cnn = models.trained_on_mnist_sample("small_cnn")       # doctest: +SKIP
    >>> _, (x_test, y_test) = data.load_mnist_sample()
    >>> FeatureMapViewer(cnn, x_test[:50], labels=y_test[:50])  # doctest: +SKIP
    """

    def __init__(self, model, images, labels=None, layer_names=None):
        import keras

        if not isinstance(model, keras.Model):
            raise TypeError(f"model must be a keras.Model; got {type(model).__name__}")
        if len(model.inputs) != 1:
            raise ValueError(f"model must have exactly one input; it has {len(model.inputs)}")
        self.model = model
        self.images = self._model_images(images, tuple(model.inputs[0].shape[1:]))
        if labels is not None:
            labels = list(labels)
            if len(labels) != len(self.images):
                raise ValueError(f"labels must have one entry per image ({len(self.images)}); got {len(labels)}")
        self.labels = labels
        allowed = _spatial_layers(model)
        if layer_names is None:
            layer_names = allowed
        elif isinstance(layer_names, str):
            raise TypeError(f"layer_names must be a sequence of layer names, not one str; got {layer_names!r}")
        layer_names = list(layer_names)
        unknown = [name for name in layer_names if name not in allowed]
        if unknown or not layer_names:
            raise ValueError(
                f"layer_names must be layers with (rows, cols, channels) outputs, one of {allowed}; got {layer_names!r}"
            )
        self.layer_names = layer_names
        outputs = [model.get_layer(name).output for name in layer_names]
        self._predicts = len(model.outputs) == 1 and len(model.outputs[0].shape) == 2
        if self._predicts:
            outputs.append(model.outputs[0])
        self.activation_model = keras.Model(inputs=model.inputs[0], outputs=outputs)
        self._cache = {}
        self._shown_index = None
        self._held = {"image": 0, "layer": layer_names[0], "channel": 0, "all_channels": False}

        first = self.activations(0)[layer_names[0]]
        self.image_slider = widgets.IntSlider(
            value=0, min=0, max=len(self.images) - 1, description="image", continuous_update=False
        )
        self.layer_dropdown = widgets.Dropdown(options=layer_names, value=layer_names[0], description="layer")
        self.channel_slider = widgets.IntSlider(value=0, min=0, max=first.shape[-1] - 1, description="channel")
        self.all_channels = widgets.Checkbox(value=False, description="show all channels", indent=False)
        self.input_image = widgets.Image(format="png")
        self.activation_image = widgets.Image(format="png")
        self.info = widgets.HTML()
        for control in (self.image_slider, self.layer_dropdown, self.channel_slider, self.all_channels):
            self._observe(control, self._on_change)
        self._assemble(
            widgets.HBox([self.image_slider, self.layer_dropdown]),
            widgets.HBox([self.channel_slider, self.all_channels]),
            widgets.HBox([self.input_image, self.activation_image]),
            self.info,
        )
        self._render()

    def state(self):
        """The image index, layer, channel and all-channels choice shown."""
        return dict(self._held)

    def _controls(self):
        return {
            "image": self.image_slider,
            "layer": self.layer_dropdown,
            "channel": self.channel_slider,
            "all_channels": self.all_channels,
        }

    @staticmethod
    def _model_images(images, input_shape):
        array = np.asarray(images)
        if not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"images must be numeric; got dtype {array.dtype}")
        if array.ndim == 3 and len(input_shape) == 3 and input_shape[-1] == 1:
            array = array[..., np.newaxis]
        if array.ndim != 4 or len(array) == 0 or tuple(array.shape[1:]) != tuple(input_shape):
            raise ValueError(
                f"images must have shape (N, {', '.join(str(s) for s in input_shape)}) to fit the model "
                f"(or (N, rows, cols) for a one-channel model); got shape {array.shape}"
            )
        scale = 255.0 if array.dtype == np.uint8 else 1.0
        return array.astype(np.float32) / scale

    @property
    def cached_images(self):
        """Indices of the images whose activations have been computed."""
        return tuple(sorted(self._cache))

    def activations(self, index):
        """Activations of image ``index``: ``{layer name: (rows, cols, channels) array}``.

        Computed with one call of the activation model the first time, then
        served from the cache. With a classifier, ``"prediction"`` holds the
        class probabilities.
        """
        if index not in self._cache:
            outputs = self.activation_model.predict_on_batch(self.images[index : index + 1])
            if not isinstance(outputs, (list, tuple)):
                outputs = [outputs]
            names = self.layer_names + (["prediction"] if self._predicts else [])
            self._cache[index] = {name: np.asarray(output)[0] for name, output in zip(names, outputs)}
        return self._cache[index]

    def _on_change(self, change):
        self._render(layer_changed=change["owner"] is self.layer_dropdown)

    def _input_png(self, index):
        image = self.images[index]
        if image.shape[-1] in (3, 4):
            return array_to_png(np.clip(image[..., :3], 0, 1), scale=max(1, _SINGLE_PIXELS // image.shape[0]))
        return array_to_png(
            image[..., 0], vmin=0, vmax=max(float(image.max()), 1e-12), scale=max(1, _SINGLE_PIXELS // image.shape[0])
        )

    def _describe(self, index, layer, maps, channel, all_channels):
        rows, cols, channels = maps.shape
        parts = [f"image {index}"]
        if self.labels is not None:
            parts.append(f"label {html.escape(str(self.labels[index]))}")
        if self._predicts:
            probabilities = self.activations(index)["prediction"]
            best = int(np.argmax(probabilities))
            parts.append(f"predicted {best} (probability {probabilities[best]:.2f})")
        text = (
            f"<p>{' &middot; '.join(parts)}</p><p>layer <b>{html.escape(layer)}</b>: output "
            f"{rows} x {cols} x {channels} (rows x cols x channels; the lecture writes it "
            f"{channels} x {rows} x {cols})</p>"
        )
        if all_channels:
            cmap, low, high = _colour_range(maps)
            text += (
                f"<p>all {channels} channels, channel 0 at the top left; one colour scale "
                f"({cmap}) from {low:.3g} to {high:.3g}, so tiles compare</p>"
            )
        else:
            number, channel = channel, maps[..., channel]
            text += (
                f"<p>channel {number}: min {channel.min():.3g}, "
                f"max {channel.max():.3g}, mean {channel.mean():.3g}, "
                f"{np.mean(channel == 0):.0%} of positions exactly 0 "
                f"(colours scaled to this channel)</p>"
            )
        return text

    def _render(self, layer_changed=False):
        index = _checks.integer(self.image_slider.value, "image", 0, len(self.images) - 1)
        layer = _checks.choice(self.layer_dropdown.value, "layer", tuple(self.layer_names))
        maps = self.activations(index)[layer]
        if layer_changed:
            # Keep the channel in range for the new layer without rendering twice.
            with self._quietly():
                self.channel_slider.value = min(self.channel_slider.value, maps.shape[-1] - 1)
                self.channel_slider.max = maps.shape[-1] - 1
        channel = _checks.integer(self.channel_slider.value, "channel", 0, maps.shape[-1] - 1)
        all_channels = self.all_channels.value
        if not isinstance(all_channels, bool):
            raise TypeError(f"show all channels must be True or False; got {all_channels!r}")
        if all_channels:
            mosaic = _feature_map_mosaic(maps)
            # Very wide mosaics (many large channels) are thinned to keep the update fast.
            step = math.ceil(mosaic.shape[1] / (2 * _MOSAIC_PIXELS))
            picture = array_to_png(mosaic[::step, ::step], scale=max(1, _MOSAIC_PIXELS // mosaic.shape[1]))
        else:
            values = maps[..., channel]
            cmap, low, high = _colour_range(values)
            picture = array_to_png(
                values, vmin=low, vmax=high, cmap=cmap, scale=max(1, _SINGLE_PIXELS // values.shape[0])
            )
        if index != self._shown_index:
            self.input_image.value = self._input_png(index)
            self._shown_index = index
        self.channel_slider.disabled = all_channels
        self.activation_image.value = picture
        self.info.value = self._describe(index, layer, maps, channel, all_channels)
        self._held = {"image": index, "layer": layer, "channel": channel, "all_channels": all_channels}

    def _build_standin(self, max_frames=6):
        """Frames for the HTML book: every layer's channels as a mosaic, for as many images as fit in
        ``max_frames`` (at least one), which keeps the page light."""
        import matplotlib.pyplot as plt

        frames = []
        count = min(max(1, max_frames // len(self.layer_names)), len(self.images))
        for index in range(count):
            image = self.images[index]
            for layer in self.layer_names:
                maps = self.activations(index)[layer]
                fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.6), width_ratios=(1, 2))
                left.imshow(
                    image[..., 0] if image.shape[-1] == 1 else image[..., :3], cmap="gray", interpolation="nearest"
                )
                left.set_title("input" + (f" (label {self.labels[index]})" if self.labels is not None else ""))
                right.imshow(_feature_map_mosaic(maps), interpolation="nearest")
                right.set_title(f"layer {layer}: {maps.shape[-1]} channels of {maps.shape[0]} x {maps.shape[1]}")
                for axis in (left, right):
                    axis.set_xticks([])
                    axis.set_yticks([])
                left.set_xlabel(f"image {index}")
                right.set_xlabel("channel 0 at the top left, one colour scale")
                fig.tight_layout()
                frames.append(figure_to_rgb(fig, dpi=_STANDIN_DPI))
        title = (
            f"Feature maps of {self.model.name}: every channel of each layer "
            f"({', '.join(self.layer_names)}) for {count} image{'s' if count > 1 else ''}"
        )
        return self._animation(
            frames, interval=900, title=title, alt="An input image beside a grid of all channels of one layer"
        )

    @classmethod
    def example(cls):
        """The chapter-3 viewer: the small CNN trained on the MNIST sample, 20 test digits."""
        from ..data import load_mnist_sample
        from ..models import trained_on_mnist_sample

        model = trained_on_mnist_sample("small_cnn", epochs=3)
        _, (x_test, y_test) = load_mnist_sample()
        return cls(model, x_test[:20], labels=y_test[:20])

    def benchmark_actions(self):
        """Next image (computed on first view), next layer, next channel, all-channels toggle."""

        def next_image():
            self.image_slider.value = (self.image_slider.value + 1) % (self.image_slider.max + 1)

        def next_layer():
            position = self.layer_names.index(self.layer_dropdown.value)
            self.layer_dropdown.value = self.layer_names[(position + 1) % len(self.layer_names)]

        def next_channel():
            self.channel_slider.value = (self.channel_slider.value + 1) % (self.channel_slider.max + 1)

        def toggle_all():
            self.all_channels.value = not self.all_channels.value

        return [next_image, next_layer, next_channel, toggle_all]
