"""The augmentation explorer: vary each factor of the lecture's pipeline (chapter 7).

One image (a photo or a digit) and a 3x3 grid: the original in the top-left
cell, eight augmented copies around it. A checkbox and five sliders set the
factors of ``RandomFlip``, ``RandomRotation``, ``RandomTranslation``,
``RandomBrightness`` and ``RandomContrast``; the widget shows the Keras code
for the current values and what they mean in degrees and pixels.

Calling the Keras layers eagerly for every slider move is far too slow for a
live widget (chapter 7 times it), so the copies are drawn with the numpy
twins in :mod:`cnnbook.augment`, which apply the same operations for a given
random draw (the tests check them against the layers). The random draws are
made once (``u`` uniform in [-1, 1] per copy and per layer) and scaled by the
factors, so moving a slider changes the same copies smoothly; the button
draws new ones.
"""

import html
import math

import ipywidgets as widgets
import numpy as np

from .. import _checks, augment
from ._base import BookWidget

__all__ = ["AugmentationExplorer"]

_COPIES = 8
_MAX_SIDE = 128  # larger images are thinned to this many pixels per side: each move stays fast
_STANDIN_SCALE = 2  # the animation's frames: twice the size of the first edition
_GAP = 3
_SLIDERS = (
    # name, label, max, step
    ("rotation", "rotation", 0.5, 0.01),
    ("height_factor", "height shift", 0.5, 0.01),
    ("width_factor", "width shift", 0.5, 0.01),
    ("brightness", "brightness", 1.0, 0.05),
    ("contrast", "contrast", 1.0, 0.05),
)


def _default_images():
    """The images the explorer offers: the cat photo (96x96 crop) and four test digits, in [0, 1]."""
    from ..data import load_mnist_sample, load_photo

    # A square crop around the face, every third pixel: 96x96 keeps each update fast.
    images = {"cat photo": np.ascontiguousarray(load_photo("chelsea")[:288:3, 48:336:3])}
    _, (x_test, y_test) = load_mnist_sample()
    for label in (2, 3, 4, 7):
        images[f"digit {label}"] = x_test[np.flatnonzero(y_test == label)[0]].astype(np.float32) / 255.0
    return images


def _grid(cells, scale):
    """Tile 9 images (grey or RGB, values clipped to [0, 1]) 3x3 with light-grey gaps, as RGB uint8."""
    rgb = [
        np.clip(cell, 0.0, 1.0) if cell.ndim == 3 else np.repeat(np.clip(cell, 0.0, 1.0)[..., None], 3, axis=2)
        for cell in cells
    ]
    rows, cols = rgb[0].shape[:2]
    height, width = 3 * rows + 2 * _GAP, 3 * cols + 2 * _GAP
    canvas = np.full((height, width, 3), 0.85, dtype=np.float32)
    for index, cell in enumerate(rgb):
        top, left = (index // 3) * (rows + _GAP), (index % 3) * (cols + _GAP)
        canvas[top : top + rows, left : left + cols] = cell
    canvas = (canvas * 255).astype(np.uint8)
    if scale > 1:
        canvas = np.repeat(np.repeat(canvas, scale, axis=0), scale, axis=1)
    return canvas


def _code(flip, factors):
    lines = ["keras.Sequential(["]
    if flip:
        lines.append('    layers.RandomFlip("horizontal"),')
    if factors["rotation"]:
        lines.append(f"    layers.RandomRotation({factors['rotation']:g}),")
    if factors["height_factor"] or factors["width_factor"]:
        lines.append(
            f"    layers.RandomTranslation(height_factor={factors['height_factor']:g}, "
            f"width_factor={factors['width_factor']:g}),"
        )
    if factors["brightness"]:
        lines.append(f"    layers.RandomBrightness(factor={factors['brightness']:g}, value_range=(0.0, 1.0)),")
    if factors["contrast"]:
        lines.append(f"    layers.RandomContrast({factors['contrast']:g}, value_range=(0.0, 1.0)),")
    lines.append("])")
    return "\n".join(lines)


def _meaning(shape, flip, factors):
    ranges = augment.augmentation_ranges(shape[:2], **factors)
    low, high = ranges["contrast_factors"]
    parts = [
        "flipped left-right with probability 1/2" if flip else "never flipped",
        f"rotated by up to &plusmn;{ranges['max_degrees']:.1f}&deg;",
        f"shifted by up to &plusmn;{ranges['max_shift_rows']:.1f} rows and "
        f"&plusmn;{ranges['max_shift_cols']:.1f} columns (image {shape[0]}x{shape[1]} px)",
        f"brightness offset up to &plusmn;{ranges['max_brightness_offset']:.2f}",
        f"contrast factor between {low:.2f} and {high:.2f}",
    ]
    return "Each copy is " + "; ".join(parts) + "."


class AugmentationExplorer(BookWidget):
    """Vary the factors of the lecture's augmentation layers and see eight augmented copies.

    Chapter 7. Top-left cell: the original; the other eight: augmented
    copies as ``training=True`` would produce them.

    Parameters
    ----------
    images : dict of str -> array, optional
        Images to choose from, ``(rows, cols)`` or ``(rows, cols, 3)`` with
        values in [0, 1] (default: the cat photo, a 96x96 crop, and four test digits).
    image : str, optional
        The key shown first (default: the first).
    seed : int
        Seed of the first random draws.

    Attributes
    ----------
    copies : ndarray (8, rows, cols[, 3])
        The augmented copies shown now.
    message : str
        The error shown now ("" when none).
    """

    def __init__(self, images=None, image=None, seed=0):
        images = _default_images() if images is None else images
        if not isinstance(images, dict) or not images:
            raise TypeError("images must be a non-empty dict of name -> image array")
        self._images, self.notes = {}, []
        for name, array in images.items():
            array = _checks.float_image(array, f"images[{name!r}]", layout="(rows, cols) or (rows, cols, 3)")
            if array.ndim == 3 and array.shape[2] != 3:
                raise ValueError(f"images[{name!r}] must be (rows, cols) or (rows, cols, 3); got {array.shape}")
            step = math.ceil(max(array.shape[:2]) / _MAX_SIDE)
            if step > 1:
                self.notes.append(
                    f"{name}: {array.shape[0]}x{array.shape[1]} pixels, shown as every {step}th "
                    f"pixel ({_MAX_SIDE} at most per side) so that each move stays fast"
                )
                array = array[::step, ::step]
            self._images[str(name)] = np.ascontiguousarray(array, dtype=np.float32)
        image = next(iter(self._images)) if image is None else _checks.choice(image, "image", tuple(self._images))
        self._seed = _checks.integer(seed, "seed", 0)
        self._draws = augment.draw_augmentations(_COPIES, seed)
        self.copies = None
        self._held = None

        self.source = widgets.Dropdown(options=list(self._images), value=image, description="image")
        self.flip = widgets.Checkbox(value=True, description='RandomFlip("horizontal")', indent=False)
        self.sliders = {
            name: widgets.FloatSlider(
                value=augment._LECTURE_FACTORS[name],
                min=0.0,
                max=maximum,
                step=step,
                description=label,
                readout_format=".2f",
                style={"description_width": "90px"},
            )
            for name, label, maximum, step in _SLIDERS
        }
        self.redraw = widgets.Button(description="new random draws", icon="refresh")
        self.reset = widgets.Button(description="lecture values")
        self.picture = widgets.Image(format="png")
        self.code = widgets.HTML()
        self.meaning = widgets.HTML()
        self.status = widgets.HTML(
            "".join(f"<div><small>Note: {html.escape(note)}.</small></div>" for note in self.notes)
        )

        self._observe(self.source, self._on_change)
        self._observe(self.flip, self._on_change)
        for slider in self.sliders.values():
            self._observe(slider, self._on_change)
        self._on_click(self.redraw, self._on_redraw)
        self._on_click(self.reset, self._on_reset)

        controls = widgets.VBox(
            [self.source, self.flip, *self.sliders.values(), widgets.HBox([self.redraw, self.reset])]
        )
        caption = widgets.HTML(
            "<b>Top left: the original.</b> The other eight: augmented copies "
            "(what the layers do with <code>training=True</code>)."
        )
        self._assemble(
            widgets.HBox([controls, widgets.VBox([caption, self.picture])]), self.meaning, self.code, self.status
        )
        self._update()

    # --- state -------------------------------------------------------------
    @property
    def factors(self):
        """The factors of the copies shown, as keyword arguments of :func:`cnnbook.augment.lecture_augmentation`."""
        return {name: self._held[name] for name in self.sliders}

    @property
    def message(self):
        """The error shown now ("" when none)."""
        return self.error

    def state(self):
        """The image, the flip and the factors of the copies shown."""
        return dict(self._held)

    def _controls(self):
        return {"image": self.source, "flip": self.flip, **self.sliders}

    def _augmented(self, image, flip, factors, draws):
        return np.stack(
            [
                augment.augment_like_keras(image, draws, index, flip="horizontal" if flip else None, **factors)
                for index in range(_COPIES)
            ]
        )

    def _render(self, image, copies):
        scale = max(1, 112 // image.shape[0])
        return _grid([image, *copies], scale)

    def _update(self):
        name = _checks.choice(self.source.value, "image", tuple(self._images))
        flip = self.flip.value
        if not isinstance(flip, bool):
            raise TypeError(f"flip must be True or False; got {flip!r}")
        factors = {
            key: _checks.number(slider.value, key.replace("_", " "), 0.0, slider.max)
            for key, slider in self.sliders.items()
        }
        image = self._images[name]
        copies = self._augmented(image, flip, factors, self._draws)
        self.picture.value = _png(self._render(image, copies))
        self.copies = copies
        self._held = {"image": name, "flip": flip, **factors}
        self.code.value = f"<pre>{html.escape(_code(flip, factors))}</pre>"
        self.meaning.value = _meaning(image.shape, flip, factors)

    # --- events (guarded by BookWidget._observe) -------------------------------
    def _on_change(self, change):
        self._update()

    def _on_redraw(self, button=None):
        self._seed += 1
        self._draws = augment.draw_augmentations(_COPIES, self._seed)
        self._update()

    def _on_reset(self, button=None):
        with self._quietly():
            for name, slider in self.sliders.items():
                slider.value = augment._LECTURE_FACTORS[name]
            self.flip.value = True
        self._update()

    # --- BookWidget contract -------------------------------------------------
    def _standin_key(self):
        return self._held["image"], self._seed  # the frames show fixed settings: only image and draws matter

    def _build_standin(self):
        """Frames for the HTML book: no augmentation, each layer alone, the lecture's five, too much."""
        image = self._images[self._held["image"]]
        off = {name: 0.0 for name in self.sliders}
        lecture = {name: augment._LECTURE_FACTORS[name] for name in self.sliders}
        settings = [
            ("no augmentation: nine identical images", False, off),
            ('RandomFlip("horizontal") alone', True, off),
            ("RandomRotation(0.05) alone: up to 18 degrees", False, {**off, "rotation": 0.05}),
            ("RandomTranslation(0.1, 0.1) alone", False, {**off, "height_factor": 0.1, "width_factor": 0.1}),
            ("RandomBrightness(0.1) alone", False, {**off, "brightness": 0.1}),
            ("RandomContrast(0.1) alone", False, {**off, "contrast": 0.1}),
            ("the lecture's five layers together", True, lecture),
            (
                "too much: rotation 0.25 (90 degrees), shifts 0.3",
                True,
                {**lecture, "rotation": 0.25, "height_factor": 0.3, "width_factor": 0.3},
            ),
        ]
        frames = [
            _captioned(self._render(image, self._augmented(image, flip, factors, self._draws)), caption)
            for caption, flip, factors in settings
        ]
        return self._animation(
            frames,
            interval=1500,
            title=f"Augmented copies of the {self._held['image']} (top left: original)",
            alt="A 3x3 grid: the original image and eight augmented copies",
        )

    @classmethod
    def example(cls):
        """The explorer on a test digit."""
        return cls(image="digit 3")

    def benchmark_actions(self):
        """Each control change through to the new picture."""
        rotation, shift, brightness = self.sliders["rotation"], self.sliders["width_factor"], self.sliders["brightness"]
        return [
            lambda: setattr(rotation, "value", 0.12 if rotation.value != 0.12 else 0.05),
            lambda: setattr(shift, "value", 0.2 if shift.value != 0.2 else 0.1),
            lambda: setattr(brightness, "value", 0.3 if brightness.value != 0.3 else 0.1),
            lambda: setattr(self.flip, "value", not self.flip.value),
            lambda: self._on_redraw(),
            lambda: setattr(self.source, "value", "cat photo" if self.source.value != "cat photo" else "digit 3"),
        ]


def _png(rgb):
    from ._media import array_to_png

    return array_to_png(rgb, scale=1)


def _captioned(rgb, caption):
    """The grid with a caption band above it (matplotlib, for the static frames)."""
    import matplotlib.pyplot as plt

    from ._media import figure_to_rgb

    height, width = rgb.shape[:2]
    fig = plt.figure(figsize=(max(width, 360) / 72, (height + 36) / 72), dpi=72)
    ax = fig.add_axes((0, 0, 1, height / (height + 36)))
    ax.imshow(rgb, interpolation="nearest")
    ax.axis("off")
    fig.text(0.5, 1 - 18 / (height + 36), caption, ha="center", va="center", fontsize=11)
    return figure_to_rgb(fig, dpi=72 * _STANDIN_SCALE)
