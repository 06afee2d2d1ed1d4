"""Nearest-neighbour explorer: a test digit and its closest training digits.

Chapter 2 ("Before CNNs") uses it to compare distances: under raw pixels,
under hand-made DAISY features and under the features a small CNN learned,
which training digits count as "close" to a test digit? All neighbours are
computed once in ``__init__`` (one matrix product per feature space); a
control change only picks rows of those tables and encodes small PNGs.
"""

import html

import ipywidgets as widgets
import numpy as np

from .. import _checks
from ..features import nearest_neighbours
from ._base import BookWidget
from ._media import array_to_png, figure_to_rgb

__all__ = ["NearestNeighbourExplorer"]

# Okabe-Ito colours (readable with colour-blindness): same label / other label.
_SAME = np.array([0, 114, 178], dtype=np.uint8)
_OTHER = np.array([230, 159, 0], dtype=np.uint8)
_BORDER = 2
_SCALE = 3
_ALL = "all test digits"
_STANDIN_DPI = 144  # the animation's frames: twice the 72 dpi of the first edition


def _grey_uint8(images, name):
    images = np.asarray(images)
    if images.dtype == bool or not np.issubdtype(images.dtype, np.number):
        raise TypeError(f"{name} must be numeric grey images, got dtype {images.dtype}")
    if images.ndim != 3 or 0 in images.shape:
        raise ValueError(f"{name} must have shape (N, rows, cols) with N >= 1; got {images.shape}")
    if images.dtype == np.uint8:
        return images
    return (np.clip(images.astype(np.float64), 0.0, 1.0) * 255).round().astype(np.uint8)


def _neighbour_strip(images, colours=None):
    """Grey digits side by side as one RGB image, each in a coloured frame.

    Chapter 2's nearest-neighbour widget shows each row of neighbours this
    way: a frame says whether a neighbour has the same label as the test
    digit.

    Parameters
    ----------
    images : array_like of uint8, shape (n, H, W)
        The digits, left to right.
    colours : array_like of uint8, shape (n, 3), optional
        Frame colour of each digit (default white).

    Returns
    -------
    numpy.ndarray of uint8, shape (H + 4, n * (W + 4), 3)

    Raises
    ------
    ValueError
        If the shapes do not fit.

    Examples
    --------
    >>> _neighbour_strip(np.zeros((3, 28, 28), dtype=np.uint8)).shape
    (32, 96, 3)
    """
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (n, H, W) with n >= 1; got {images.shape}")
    count, height, width = images.shape
    if colours is None:
        colours = np.full((count, 3), 255, dtype=np.uint8)
    colours = np.asarray(colours, dtype=np.uint8)
    if colours.shape != (count, 3):
        raise ValueError(f"colours must have shape ({count}, 3); got {colours.shape}")
    tile_h, tile_w = height + 2 * _BORDER, width + 2 * _BORDER
    tiles = np.empty((count, tile_h, tile_w, 3), dtype=np.uint8)
    tiles[:] = colours[:, np.newaxis, np.newaxis, :]
    tiles[:, _BORDER : _BORDER + height, _BORDER : _BORDER + width, :] = images[..., np.newaxis]
    return tiles.transpose(1, 0, 2, 3).reshape(tile_h, count * tile_w, 3)


class NearestNeighbourExplorer(BookWidget):
    """Pick a test digit; see its nearest training digits in several feature spaces.

    Chapter 2 ("Before CNNs"). Each feature space (e.g. raw pixels, DAISY,
    CNN features) gets one row: the ``k`` nearest training digits under
    Euclidean distance in that space, framed blue when their label matches
    the test digit and orange when it does not, with their labels,
    distances and the majority vote of the ``k`` labels (a k-nearest-
    neighbour classifier).

    Controls: a filter ("all test digits" or the digits a space's nearest
    neighbour gets wrong), a slider through the filtered digits, a box to
    type a test-digit number, and the number of neighbours.

    Parameters
    ----------
    train_images, test_images : array_like, shape (N, H, W)
        Grey digits, uint8 0-255 or floats 0-1 (for display only).
    train_labels, test_labels : array_like of int, shape (N,)
    spaces : dict
        ``{name: (train_features, test_features)}``, 1 to 4 entries, each
        a pair of 2-D arrays with one row per image.
    k : int
        Neighbours shown at first, ``1 <= k <= max_k``.
    max_k : int
        Neighbours precomputed per test digit (the slider's maximum);
        at most the number of training digits.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the lengths do not match, ``spaces`` is empty or too large, or
        ``k``/``max_k`` are out of range.

    Examples
    --------
    >>> explorer = NearestNeighbourExplorer.example()    # doctest: +SKIP
    >>> explorer.jump_box.value = "17"                    # doctest: +SKIP
    >>> explorer.shown_neighbours("DAISY")[0]             # doctest: +SKIP
    """

    def __init__(self, train_images, train_labels, test_images, test_labels, spaces, k=6, max_k=10):
        self.train_images = _grey_uint8(train_images, "train_images")
        self.test_images = _grey_uint8(test_images, "test_images")
        self.train_labels = self._labels(train_labels, len(self.train_images), "train_labels")
        self.test_labels = self._labels(test_labels, len(self.test_images), "test_labels")
        if self.train_images.shape[1:] != self.test_images.shape[1:]:
            raise ValueError(
                f"train and test images must have the same size; got "
                f"{self.train_images.shape[1:]} and {self.test_images.shape[1:]}"
            )
        if not isinstance(spaces, dict):
            raise TypeError(
                f"spaces must be a dict {{name: (train_features, test_features)}}; got {type(spaces).__name__}"
            )
        if not 1 <= len(spaces) <= 4:
            raise ValueError(f"spaces must hold 1 to 4 feature spaces; got {len(spaces)}")
        for name, value in (("k", k), ("max_k", max_k)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {value!r}")
        if not 1 <= max_k <= len(self.train_images):
            raise ValueError(
                f"max_k must be between 1 and the number of training digits ({len(self.train_images)}); got {max_k}"
            )
        if not 1 <= k <= max_k:
            raise ValueError(f"k must be between 1 and max_k={max_k}; got {k}")

        self.space_names = [str(name) for name in spaces]
        #: ``{name: (indices, distances)}``, each ``(n_test, max_k)``, nearest first.
        self.neighbours = {}
        for name, pair in zip(self.space_names, spaces.values()):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"spaces[{name!r}] must be a pair (train_features, test_features)")
            train_features, test_features = (np.asarray(part) for part in pair)
            if (
                train_features.ndim != 2
                or test_features.ndim != 2
                or len(train_features) != len(self.train_images)
                or len(test_features) != len(self.test_images)
            ):
                raise ValueError(
                    f"spaces[{name!r}] must be 2-D features with one row per training digit "
                    f"({len(self.train_images)}) and per test digit ({len(self.test_images)}); got shapes "
                    f"{train_features.shape} and {test_features.shape}"
                )
            self.neighbours[name] = nearest_neighbours(train_features, test_features, k=int(max_k))
        self._subsets = {_ALL: np.arange(len(self.test_images))}
        for name in self.space_names:
            nearest_labels = self.train_labels[self.neighbours[name][0][:, 0]]
            self._subsets[f"{name}: nearest neighbour has another label"] = np.flatnonzero(
                nearest_labels != self.test_labels
            )
        self._members = self._subsets[_ALL]
        self._subset = _ALL
        self.index = 0

        self.subset_dropdown = widgets.Dropdown(
            options=list(self._subsets), value=_ALL, description="show", layout=widgets.Layout(width="420px")
        )
        # Cheap to update (rows of precomputed tables), so it follows the mouse.
        self.position_slider = widgets.IntSlider(value=0, min=0, max=len(self._members) - 1, description="digit")
        self.jump_box = widgets.Text(
            value="",
            placeholder=f"0 to {len(self.test_images) - 1}",
            description="test #",
            continuous_update=False,
            layout=widgets.Layout(width="180px"),
        )
        self.k_slider = widgets.IntSlider(value=int(k), min=1, max=int(max_k), description="neighbours")
        self.message = widgets.HTML()  # notes such as the size of a group (errors: BookWidget.error)
        self.query_caption = widgets.HTML()
        self.query_image = widgets.Image(format="png")
        self.row_captions = {name: widgets.HTML() for name in self.space_names}
        self.row_images = {name: widgets.Image(format="png") for name in self.space_names}

        self._k = int(k)
        self._observe(self.subset_dropdown, self._on_subset)
        self._observe(self.position_slider, self._on_position)
        self._observe(self.jump_box, self._on_jump)
        self._observe(self.k_slider, self._on_k)
        rows = [widgets.VBox([self.row_captions[name], self.row_images[name]]) for name in self.space_names]
        self._assemble(
            widgets.HBox([self.subset_dropdown, self.jump_box]),
            widgets.HBox([self.position_slider, self.k_slider]),
            self.message,
            widgets.HBox([widgets.VBox([self.query_caption, self.query_image]), widgets.VBox(rows)]),
        )
        self._render()

    def state(self):
        """The group, the position in it, the test digit and the number of neighbours shown."""
        return {
            "subset": self._subset,
            "position": int(np.searchsorted(self._members, self.index)),
            "index": self.index,
            "k": self._k,
        }

    def _controls(self):
        return {"subset": self.subset_dropdown, "position": self.position_slider, "k": self.k_slider}

    @staticmethod
    def _labels(labels, count, name):
        labels = np.asarray(labels)
        if labels.ndim != 1 or len(labels) != count or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
            raise ValueError(
                f"{name} must be 1-D non-negative integer labels, one per image ({count}); "
                f"got shape {labels.shape} and dtype {labels.dtype}"
            )
        return labels.astype(np.int64)

    # ---- callbacks (guarded by BookWidget._observe) --------------------------

    def _on_subset(self, change):
        name = _checks.choice(change["new"], "group", tuple(self._subsets))
        members = self._subsets[name]
        if len(members) == 0:
            raise ValueError(f"no test digit in the group {name!r}: every nearest neighbour has the right label")
        position = int(np.searchsorted(members, self.index))
        position = position if position < len(members) and members[position] == self.index else 0
        self._subset, self._members = name, members
        with self._quietly():
            self.position_slider.max = len(members) - 1
            self.position_slider.value = position
        self.index = int(members[position])
        self.message.value = f"{len(members)} test digits in this group."
        self._render()

    def _on_position(self, change):
        position = _checks.integer(change["new"], "digit", 0, len(self._members) - 1)
        self.index = int(self._members[position])
        self.message.value = ""
        self._render()

    def _on_jump(self, change):
        text = change["new"]
        if not isinstance(text, str):
            raise TypeError(f"test # must be typed text; got {text!r}")
        text = text.strip()
        if not text:
            return
        last = len(self.test_images) - 1
        if not text.lstrip("-").isdigit() or not 0 <= int(text) <= last:
            raise ValueError(f"type a whole number from 0 to {last} in test #; {text!r} is not one")
        with self._quietly():
            self.subset_dropdown.value = _ALL
            self._subset, self._members = _ALL, self._subsets[_ALL]
            self.position_slider.max = len(self._members) - 1
            self.position_slider.value = int(text)
            self.jump_box.value = ""  # typing the same number again later jumps again
        self.index = int(text)
        self.message.value = ""
        self._render()

    def _on_k(self, change):
        self._k = _checks.integer(change["new"], "neighbours", 1, self.k_slider.max)
        self._render()

    # ---- what is shown -----------------------------------------------------

    def shown_neighbours(self, name):
        """The neighbours now shown for one space: ``(train indices, distances, labels)``."""
        if name not in self.neighbours:
            raise ValueError(f"name must be one of {self.space_names}; got {name!r}")
        k = self._k
        indices, distances = self.neighbours[name]
        chosen = indices[self.index, :k]
        return chosen, distances[self.index, :k], self.train_labels[chosen]

    def vote(self, name):
        """Majority label of the shown neighbours in one space (ties: the nearer neighbour's label wins)."""
        _, _, labels = self.shown_neighbours(name)
        counts = np.bincount(labels)
        tied = np.flatnonzero(counts == counts.max())
        return int(next(label for label in labels if label in tied))

    def _row_colours(self, labels):
        same = labels == self.test_labels[self.index]
        return np.where(same[:, np.newaxis], _SAME, _OTHER)

    def _render(self):
        label = int(self.test_labels[self.index])
        self.query_caption.value = f"<b>test digit #{self.index}</b><br>label {label}"
        self.query_image.value = array_to_png(self.test_images[self.index], vmin=0, vmax=255, scale=_SCALE + 1)
        for name in self.space_names:
            chosen, distances, labels = self.shown_neighbours(name)
            vote = self.vote(name)
            verdict = "right" if vote == label else "wrong"
            listed = ", ".join(f"{int(lab)} ({dist:.2f})" for lab, dist in zip(labels, distances))
            caption = f"<b>{html.escape(name)}</b>: vote of {len(labels)} = {vote} ({verdict}); "
            self.row_captions[name].value = caption + f"labels (distance): {listed}"
            strip = _neighbour_strip(self.train_images[chosen], self._row_colours(labels))
            self.row_images[name].value = array_to_png(strip, scale=_SCALE)

    # ---- BookWidget contract ------------------------------------------------

    def frame(self, index, k=None):
        """A matplotlib figure of one test digit and its neighbours in every space (for the static book)."""
        import matplotlib.pyplot as plt

        k = self._k if k is None else k
        label = int(self.test_labels[index])
        query = _neighbour_strip(self.test_images[index : index + 1], [[255, 255, 255]])
        tile = query.shape[0]
        gap, band = 8, 14  # white columns after the test digit; white rows under each row for the labels
        rows, row_labels = [], []
        for row, name in enumerate(self.space_names):
            chosen = self.neighbours[name][0][index, :k]
            labels = self.train_labels[chosen]
            colours = np.where((labels == label)[:, np.newaxis], _SAME, _OTHER)
            first = query if row == 0 else np.full_like(query, 255)
            strip = np.concatenate(
                [first, np.full((tile, gap, 3), 255, np.uint8), _neighbour_strip(self.train_images[chosen], colours)],
                axis=1,
            )
            rows.append(np.concatenate([strip, np.full((band, strip.shape[1], 3), 255, np.uint8)], axis=0))
            row_labels.append(labels)
        canvas = np.concatenate(rows, axis=0)
        fig, ax = plt.subplots(figsize=(2.2 + 0.8 * (k + 1), 1.1 + 0.9 * len(rows)))
        ax.imshow(canvas, interpolation="nearest")
        height = tile + band
        ax.set_yticks([height * row + tile / 2 for row in range(len(rows))], self.space_names)
        ax.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        for row, labels in enumerate(row_labels):
            for column, neighbour_label in enumerate(labels):
                ax.text(
                    tile + gap + (column + 0.5) * tile,
                    height * row + tile + band / 2,
                    str(neighbour_label),
                    fontsize=9,
                    ha="center",
                    va="center",
                )
        ax.set_title(f"test digit #{index} (label {label}) and its {k} nearest training digits", fontsize=11)
        ax.set_xlabel("nearest first; blue frame: same label as the test digit, orange: another label", fontsize=9)
        fig.tight_layout()
        return fig

    def _standin_key(self):
        return self._k  # the frames show fixed digits: only the number of neighbours matters

    def _build_standin(self):
        """Frames for a few test digits, preferring those where the spaces disagree."""
        first_wrong = self._subsets[f"{self.space_names[0]}: nearest neighbour has another label"]
        picks = [0, 1, 2]
        for index in first_wrong:
            last_right = all(
                self.train_labels[self.neighbours[name][0][index, 0]] == self.test_labels[index]
                for name in self.space_names[1:]
            )
            if last_right and len(picks) < 6:
                picks.append(int(index))
        return self._animation(
            [figure_to_rgb(self.frame(index), dpi=_STANDIN_DPI) for index in picks],
            interval=1500,
            title="Nearest training digits of some test digits, one row per feature space "
            "(run the notebook to pick any digit)",
            alt="A test digit and its nearest training digits, one row per feature space",
        )

    @classmethod
    def example(cls):
        """The bundled MNIST sample under raw-pixel and DAISY distance (a few seconds)."""
        from ..data import load_mnist_sample
        from ..features import daisy_features

        (x_train, y_train), (x_test, y_test) = load_mnist_sample()
        daisy_train = daisy_features(x_train).reshape(len(x_train), -1)
        daisy_test = daisy_features(x_test).reshape(len(x_test), -1)
        spaces = {
            "raw pixels": (x_train.reshape(len(x_train), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0),
            "DAISY": (daisy_train, daisy_test),
        }
        return cls(x_train, y_train, x_test, y_test, spaces)

    def benchmark_actions(self):
        last = len(self.test_images) - 1

        def next_digit():
            self.position_slider.value = (self.position_slider.value + 1) % (self.position_slider.max + 1)

        def more_neighbours():
            self.k_slider.value = self.k_slider.max if self.k_slider.value != self.k_slider.max else 1

        def switch_group():
            options = self.subset_dropdown.options
            self.subset_dropdown.value = options[(options.index(self.subset_dropdown.value) + 1) % len(options)]

        def type_number():
            self.jump_box.value = str((self.index + 37) % (last + 1))

        return [next_digit, more_neighbours, switch_group, type_number]
