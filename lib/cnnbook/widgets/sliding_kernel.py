"""The sliding-kernel widget of chapter 1 ("Convolution review").

A kernel slides over a small image shown as a grid of numbers. For the
current output cell the widget highlights the kernel's window on the
(zero-padded) input, writes out the element-wise products and their sum, and
fills the output map up to that cell. Controls: output cell (with a Play
button), stride, padding, dilation, kernel presets, typed kernel values, and
a toggle between correlation (what CNN layers compute) and convolution (the
kernel rotated by 180 degrees). An image with 2 or 3 channels shows one grid
per channel and a kernel with one slice per channel: the output sums the
products over all channels.

The front end is one anywidget ES module, ``js/sliding_kernel.js``: it draws
HTML tables and recomputes the arithmetic in the browser, live (Jupyter,
Colab) and in the HTML book alike. This class holds the state as traitlets,
checks every change (the same messages as the module's) and computes the same
numbers with numpy (:attr:`SlidingKernel.output`), which the tests compare
with what the module shows.

Colours: one grey scale per grid, symmetric about zero, so zero is mid-grey,
negative values are darker and positive values lighter. Zero-padding cells
are hatched.
"""

import re

import numpy as np
import traitlets

from .. import _checks
from ..conv import conv2d, pad_amounts
from ._anywidget import BookAnyWidget
from ._base import InputError, _shown_value

__all__ = ["SlidingKernel", "KERNEL_PRESETS", "parse_kernel"]

#: Preset kernels as the text the kernel box shows (rows on lines).
KERNEL_PRESETS = {
    "identity": "0 0 0\n0 1 0\n0 0 0",
    "box blur": "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9",
    "lecture kernel": "1 2 1\n2 4 2\n1 2 1",
    "Gaussian blur": "1/16 2/16 1/16\n2/16 4/16 2/16\n1/16 2/16 1/16",
    "sharpen": "0 -1 0\n-1 5 -1\n0 -1 0",
    "Sobel x": "-1 0 1\n-2 0 2\n-1 0 1",
    "Sobel y": "-1 -2 -1\n0 0 0\n1 2 1",
    "edge": "-1 -1 -1\n-1 8 -1\n-1 -1 -1",
}
_CUSTOM = "custom (typed)"
_PADDING_OPTIONS = [("valid", "valid"), ("same", "same"), ("full", "full"), ("1", 1), ("2", 2), ("3", 3)]
_MAX_KERNEL = 7
_MAX_IMAGE = 20
_MAX_CHANNELS = 3
_MAX_PADDING = 10
_MAX_STRIDE = 6
_MAX_DILATION = 4
#: Largest size of a typed or given value: products and sums stay far from overflow.
MAX_VALUE = 1e6


def parse_kernel(text, max_size=_MAX_KERNEL, channels=1):
    """Read a kernel typed as text: one row per line, numbers separated by spaces.

    Chapter 1 ("Convolution review") uses it for the sliding-kernel widget's
    kernel box. Commas and semicolons also separate numbers and rows, square
    brackets are ignored (so a pasted ``[[1, 2], [3, 4]]`` works), and a
    fraction such as ``1/9`` is allowed. With ``channels`` > 1, a line
    holding only ``|`` separates the slices of the channels; one slice alone
    is used for every channel.

    Parameters
    ----------
    text : str
        The typed kernel.
    max_size : int, default 7
        Largest number of rows and of columns.
    channels : int, default 1
        Channels of the image the kernel is for (1 to 3).

    Returns
    -------
    numpy.ndarray of float64, shape (rows, cols), or (rows, cols, channels) when ``channels`` > 1

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If the text holds no number, a value is not a number of size at most
        :data:`MAX_VALUE`, the rows have different lengths, the kernel is
        larger than ``max_size`` or the slices do not fit ``channels``; the
        message says which row and value.

    Examples
    --------
    >>> print(parse_kernel("1 2 1\\n2 4 2\\n1 2 1").sum())
    16.0
    >>> parse_kernel("[[1, 0], [0, -1]]")
    array([[ 1.,  0.],
           [ 0., -1.]])
    >>> print(parse_kernel("1/4 1/4"))
    [[0.25 0.25]]
    >>> parse_kernel("1 0\\n|\\n0 1", channels=2)[..., 1]
    array([[0., 1.]])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    channels = _checks.integer(channels, "channels", 1, _MAX_CHANNELS)
    blocks = (
        [_parse_grid(block, max_size) for block in re.split(r"(?m)^\s*\|\s*$", text) if block.strip()]
        if channels > 1
        else [_parse_grid(text, max_size)]
    )
    if not blocks:
        raise InputError("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1")
    if channels == 1:
        return blocks[0]
    if len(blocks) not in (1, channels):
        raise InputError(
            f"the image has {channels} channels: type one kernel slice for all of them or "
            f"{channels} slices separated by lines holding only |; got {len(blocks)} slices"
        )
    if any(block.shape != blocks[0].shape for block in blocks):
        raise InputError(
            "every channel's slice needs the same rows and columns; got "
            + ", ".join(f"{b.shape[0]}x{b.shape[1]}" for b in blocks)
        )
    return np.stack(blocks * (channels // len(blocks)), axis=-1)


def _parse_grid(text, max_size=None, what="the kernel"):
    """Rows of numbers typed as text (the kernel box's rules), at most ``max_size`` rows and columns."""
    lines = text.replace("[", " ").replace("]", "\n").replace(";", "\n").splitlines()
    rows = [line.replace(",", " ").split() for line in lines]
    rows = [row for row in rows if row]
    if not rows:
        raise InputError(f"{what} is empty: type rows of numbers, one row per line, e.g. 1 2 1")
    values = []
    for row_number, row in enumerate(rows, start=1):
        values.append([_parse_number(token, row_number) for token in row])
    lengths = [len(row) for row in values]
    if len(set(lengths)) > 1:
        bad = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise InputError(
            f"every row needs the same number of values: row 1 ({' '.join(rows[0])!r}) has {lengths[0]}, "
            f"row {bad + 1} ({' '.join(rows[bad])!r}) has {lengths[bad]}"
        )
    if max_size is not None and (len(values) > max_size or lengths[0] > max_size):
        raise InputError(
            f"the kernel may have at most {max_size} rows and {max_size} columns; "
            f"got {len(values)} rows and {lengths[0]} columns"
        )
    return np.array(values, dtype=np.float64)


def _parse_number(token, row_number):
    """One typed value: a decimal number or a fraction ``a/b``."""
    problem = f"{token!r} in row {row_number} is not a number; use values such as 2, -1.5 or 1/9"
    try:
        if "/" in token:
            numerator, denominator = token.split("/", 1)
            value = float(numerator) / float(denominator)
        else:
            value = float(token)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise InputError(problem) from None
    if not np.isfinite(value):
        raise InputError(f"{token!r} in row {row_number} is not a finite number")
    if abs(value) > MAX_VALUE:
        raise InputError(
            f"{token!r} in row {row_number} is too large: values must lie between -{MAX_VALUE:g} and {MAX_VALUE:g}"
        )
    return value


def _fmt(value, decimals=2):
    """A value as the grids show it: integers exactly, others rounded."""
    rounded = round(float(value))
    if abs(value - rounded) <= 1e-9 * max(1.0, abs(value)):
        return str(int(rounded))
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def _kernel_text(kernel):
    """The text the kernel box shows for a (kh, kw, C) kernel."""
    slices = [kernel[..., c] for c in range(kernel.shape[2])]
    if all(np.array_equal(s, slices[0]) for s in slices):
        slices = slices[:1]
    for name, text in KERNEL_PRESETS.items():
        if len(slices) == 1 and np.array_equal(_parse_grid(text, _MAX_KERNEL), slices[0]):
            return text
    return "\n|\n".join("\n".join(" ".join(_fmt(v, 6) for v in row) for row in s) for s in slices)


def _padding_value(padding):
    return (
        _checks.padding(padding) if isinstance(padding, str) else _checks.integer(padding, "padding", 0, _MAX_PADDING)
    )


class SlidingKernel(BookAnyWidget):
    """A kernel sliding over an image shown as numbers (chapter 1, "Convolution review").

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        A small image, at most 20x20 with at most 3 channels (for example the
        lecture's 7x7 image or a crop of a photo scaled to 0-255); values of
        size at most :data:`MAX_VALUE`.
    kernel : str or array_like, default "lecture kernel"
        A name from :data:`KERNEL_PRESETS` (used on every channel), a 2-D
        array of at most 7x7, or ``(kh, kw, C)`` for a C-channel image.
    stride : int, default 1
        Step between windows, 1 to 6.
    padding : {"valid", "same", "full"} or int, default "same"
        As in :func:`cnnbook.conv.conv2d`; an int from 0 to 10.
    dilation : int, default 1
        Spacing between kernel taps, 1 to 4.
    position : int, default 0
        Output cell shown first (row-major index).
    decimals : int, default 2
        Decimals shown for values that are not integers (0 to 6).
    title : str, optional
        Caption shown above the widget and its stand-in.
    flip : bool, default False
        Convolution in the mathematical sense: slide the kernel rotated by
        180 degrees. ``False`` is the correlation CNN layers compute.

    Raises
    ------
    TypeError, ValueError
        If an argument is invalid or the kernel does not fit the padded image
        (the message names the argument).

    Notes
    -----
    The state is in synced traitlets, which the page's controls set:
    ``kernel`` (``[channel][row][col]``), ``kernel_text`` (the kernel box),
    ``stride``, ``padding``, ``dilation``, ``flip`` and ``position``. Setting
    one from code is checked like a control: a refused value shows the error
    (``error``) and the state stays.

    Examples
    --------
    >>> image = np.arange(25).reshape(5, 5)
    >>> widget = SlidingKernel(image, kernel="Sobel x", padding="valid")
    >>> widget.output.shape
    (3, 3)
    >>> widget.current_cell
    (0, 0)
    >>> print(SlidingKernel(image, kernel="Sobel x", padding="valid", flip=True).output[0, 0])
    -8.0
    """

    _module = "sliding_kernel"
    _state_traits = ("kernel", "kernel_text", "stride", "padding", "dilation", "flip", "position")

    config = traitlets.Dict().tag(sync=True)
    kernel = traitlets.List().tag(sync=True)
    kernel_text = traitlets.Unicode().tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Union([traitlets.Unicode(), traitlets.Int()], default_value="same").tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)
    flip = traitlets.Bool(False).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        image,
        kernel="lecture kernel",
        stride=1,
        padding="same",
        dilation=1,
        position=0,
        decimals=2,
        title=None,
        flip=False,
    ):
        image = _checks.array(image, "image", (2, 3), "(H, W) or (H, W, C)", kinds="biuf")
        if image.ndim == 2:
            image = image[..., np.newaxis]
        if max(image.shape[:2]) > _MAX_IMAGE or image.shape[2] > _MAX_CHANNELS:
            raise ValueError(
                f"image must be at most {_MAX_IMAGE}x{_MAX_IMAGE} with at most {_MAX_CHANNELS} "
                f"channels (crop a larger image first); got shape {image.shape}"
            )
        if np.abs(image).max() > MAX_VALUE:
            raise ValueError(
                f"image values must lie between -{MAX_VALUE:g} and {MAX_VALUE:g}; got {np.abs(image).max():g}"
            )
        self._image = image.astype(np.float64)
        channels = self._image.shape[2]
        if isinstance(kernel, str):
            kernel_array = self._parse(KERNEL_PRESETS[_checks.choice(kernel, "kernel", tuple(KERNEL_PRESETS))])
        else:
            kernel_array = _checks.array(kernel, "kernel", (2, 3), "(kh, kw) or (kh, kw, C)").astype(np.float64)
            if kernel_array.ndim == 2:
                kernel_array = np.repeat(kernel_array[..., np.newaxis], channels, axis=2)
            if kernel_array.shape[2] != channels or max(kernel_array.shape[:2]) > _MAX_KERNEL:
                raise ValueError(
                    f"kernel must be at most {_MAX_KERNEL}x{_MAX_KERNEL} with one slice per image "
                    f"channel ({channels}); got shape {kernel_array.shape}"
                )
            if np.abs(kernel_array).max() > MAX_VALUE:
                raise ValueError(f"kernel values must lie between -{MAX_VALUE:g} and {MAX_VALUE:g}")
        stride = _checks.integer(stride, "stride", 1, _MAX_STRIDE)
        dilation = _checks.integer(dilation, "dilation", 1, _MAX_DILATION)
        position = _checks.integer(position, "position", 0)
        decimals = _checks.integer(decimals, "decimals", 0, 6)
        flip = _checks.boolean(flip, "flip")
        padding = _padding_value(padding)
        if title is not None:
            title = _checks.text(title, "title")
        # The first structure raises (with conv2d's message) if the kernel does not fit.
        self._output = self._convolve(kernel_array, stride, padding, dilation, flip)
        padding_options = ["valid", "same", "full", 1, 2, 3]
        config = {
            "image": np.moveaxis(self._image, 2, 0).tolist(),
            "presets": KERNEL_PRESETS,
            "decimals": decimals,
            "title": title or "",
            "paddingOptions": padding_options + ([padding] if padding not in padding_options else []),
            "maxKernel": _MAX_KERNEL,
            "maxValue": MAX_VALUE,
            "maxStride": max(3, stride),
            "maxDilation": max(3, dilation),
        }
        super().__init__(
            config=config,
            kernel=np.moveaxis(kernel_array, 2, 0).tolist(),
            kernel_text=_kernel_text(kernel_array),
            stride=stride,
            padding=padding,
            dilation=dilation,
            flip=flip,
            position=min(position, self._output.size - 1),
        )

    # -- the state and its checks ------------------------------------------------

    def _parse(self, text):
        """A typed kernel as (kh, kw, C)."""
        kernel = parse_kernel(text, channels=self._image.shape[2])
        return kernel[..., np.newaxis] if kernel.ndim == 2 else kernel

    def _convolve(self, kernel, stride, padding, dilation, flip):
        """The output map for a (kh, kw, C) kernel; ValueError (conv2d's message) if it does not fit."""
        applied = kernel[::-1, ::-1] if flip else kernel
        return conv2d(self._image, applied[..., np.newaxis], stride=stride, padding=padding, dilation=dilation)[..., 0]

    def _checked_kernel(self, value):
        """The ``kernel`` trait as an array (kh, kw, C), or InputError naming the value."""
        channels = self._image.shape[2]
        problem = (
            f"kernel must be [channel][row][col]: {channels} slice(s) of at most {_MAX_KERNEL}x{_MAX_KERNEL} "
            f"numbers between -{MAX_VALUE:g} and {MAX_VALUE:g}; got {_shown_value(value)}"
        )
        try:
            kernel = np.array(value, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            raise InputError(problem) from None
        if kernel.ndim != 3 or kernel.shape[0] != channels or not 1 <= min(kernel.shape[1:]):
            raise InputError(problem)
        if max(kernel.shape[1:]) > _MAX_KERNEL or not np.all(np.abs(kernel) <= MAX_VALUE):
            raise InputError(problem)
        return np.moveaxis(kernel, 0, 2)

    def _validate(self, state):
        held = self._held
        if state["kernel_text"] != held["kernel_text"]:
            try:
                kernel = self._parse(_checks.text(state["kernel_text"], "the kernel box"))
            except (ValueError, TypeError) as error:
                raise InputError(f"{error}. Still using the last valid kernel.") from None
        else:
            kernel = self._checked_kernel(state["kernel"])
        stride = _checks.integer(state["stride"], "stride", 1, _MAX_STRIDE)
        dilation = _checks.integer(state["dilation"], "dilation", 1, _MAX_DILATION)
        padding = _padding_value(state["padding"])
        flip = _checks.boolean(state["flip"], "the convolution toggle")
        structure = (kernel.tolist(), stride, padding, dilation, flip)
        if structure != (self.kernel_array.tolist(), held["stride"], held["padding"], held["dilation"], held["flip"]):
            try:
                self._output = self._convolve(kernel, stride, padding, dilation, flip)
            except (ValueError, TypeError) as error:
                typed = state["kernel_text"] != held["kernel_text"]
                note = "Still using the last valid kernel" if typed else "The last valid setting is still shown"
                raise InputError(f"{error}. {note}.") from None
            position = min(_checks.integer(state["position"], "output cell", 0), self._output.size - 1)
        else:
            position = _checks.integer(state["position"], "output cell", 0, self._output.size - 1)
        text = state["kernel_text"] if state["kernel_text"] != held["kernel_text"] else _kernel_text(kernel)
        return {
            "kernel": np.moveaxis(kernel, 2, 0).tolist(),
            "kernel_text": text,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "flip": flip,
            "position": position,
        }

    # -- what the widget shows, computed with numpy --------------------------------

    def _squeeze(self, array):
        return array[..., 0] if self._image.shape[2] == 1 else array

    @property
    def kernel_array(self):
        """The kernel held, as an array (kh, kw, C)."""
        return np.moveaxis(np.asarray(self._held["kernel"], dtype=np.float64), 0, 2)

    @property
    def image(self):
        """The input image (float64 copy; 2-D for a one-channel image)."""
        return self._squeeze(self._image).copy()

    @property
    def applied_kernel(self):
        """The kernel as it slides: the kernel held, rotated by 180 degrees in convolution mode."""
        kernel = self.kernel_array
        return self._squeeze(kernel[::-1, ::-1] if self._held["flip"] else kernel)

    @property
    def output(self):
        """The full output map ``conv2d(image, applied_kernel, stride, padding, dilation)``."""
        return self._output.copy()

    @property
    def padded(self):
        """The zero-padded input the kernel slides over (2-D for a one-channel image)."""
        h, w = self._image.shape[:2]
        kh, kw = self.kernel_array.shape[:2]
        held = self._held
        rows = pad_amounts(h, kh, held["stride"], held["padding"], held["dilation"])
        cols = pad_amounts(w, kw, held["stride"], held["padding"], held["dilation"])
        return self._squeeze(np.pad(self._image, (rows, cols, (0, 0))))

    @property
    def current_cell(self):
        """``(row, col)`` of the output cell shown now."""
        return divmod(self._held["position"], self._output.shape[1])

    @property
    def settings(self):
        """The structure in use: dict with kernel (2-D for one channel), stride, padding, dilation and flip."""
        held = self._held
        return {
            "kernel": self._squeeze(self.kernel_array),
            "stride": held["stride"],
            "padding": held["padding"],
            "dilation": held["dilation"],
            "flip": held["flip"],
        }

    @classmethod
    def example(cls):
        """An 8x8 crop of the "camera" photo (values 0-255, a bright vertical bar) with Sobel x."""
        from ..data import load_photo

        photo = load_photo("camera", gray=True)
        crop = np.round(photo[220:228, 300:308] * 255)
        return cls(
            crop, kernel="Sobel x", padding="same", title="Sobel x on an 8x8 crop of the camera photo (values 0-255)"
        )

    def benchmark_actions(self):
        """Each setting through Python's checks: position, stride, padding, dilation, preset, typed kernel, flip."""

        def move():
            self.position = (self.position + 1) % self._output.size

        def stride():
            self.stride = 2 if self.stride == 1 else 1

        def padding():
            self.padding = "valid" if self.padding != "valid" else "same"

        def dilation():
            self.dilation = 2 if self.dilation == 1 else 1

        def preset():
            self.kernel_text = KERNEL_PRESETS["sharpen" if self.kernel_text != KERNEL_PRESETS["sharpen"] else "Sobel y"]

        def typed():
            prewitt, laplacian = "1 0 -1\n1 0 -1\n1 0 -1", "0 1 0\n1 -4 1\n0 1 0"
            self.kernel_text = laplacian if self.kernel_text == prewitt else prewitt

        def flip():
            self.flip = not self.flip

        return [move, stride, padding, dilation, preset, typed, flip]
