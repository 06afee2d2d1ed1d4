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

Everything is drawn as HTML tables built from strings (no matplotlib in the
live widget): the table cells are precomputed when the structure changes
(kernel, stride, padding, dilation, flip), so moving to another output cell
only joins precomputed strings. The HTML book shows the same widget in
JavaScript (``js/sliding_kernel.js``), which recomputes everything in the
page.

Colours: one grey scale per grid, symmetric about zero, so zero is mid-grey,
negative values are darker and positive values lighter. Zero-padding cells
are hatched.
"""

import html
import re

import numpy as np

from .. import _checks
from ..conv import conv2d, pad_amounts
from ._base import BookWidget, InputError, _json_for_script, _script, _shown_value

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
_HIGHLIGHT = "#ff7f0e"


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


def _weight(value):
    """A kernel weight inside a product: negative ones in parentheses."""
    text = _fmt(value, 3)
    return f"({text})" if value < 0 and text != "0" else text


def _grey_style(value, scale):
    """Inline style of a cell: grey level symmetric about zero (zero is mid-grey)."""
    level = int(round(128 + 127 * np.clip(value / scale, -1.0, 1.0)))
    ink = "#000" if level >= 110 else "#fff"
    return f"background:rgb({level},{level},{level});color:{ink}"


def _symmetric_scale(values):
    """Largest absolute value, or 1 when everything is zero."""
    peak = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return peak if peak > 0 else 1.0


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
    if isinstance(padding, str):
        return _checks.choice(padding, "padding", ("valid", "same", "full"))
    return _checks.integer(padding, "padding", 0, _MAX_PADDING)


_STYLE = (
    "<style>.cnnbook-sk table{border-collapse:collapse;font:12px/1.2 monospace;margin:2px 0}"
    ".cnnbook-sk td{min-width:2.3em;height:1.9em;padding:0 3px;text-align:center;border:1px solid #d0d0d0}"
    ".cnnbook-sk td.pad{font-style:italic;background-image:repeating-linear-gradient("
    "45deg,rgba(255,255,255,.45) 0 2px,transparent 2px 6px)}"
    f".cnnbook-sk td.hot{{box-shadow:inset 0 0 0 3px {_HIGHLIGHT}}}"
    f".cnnbook-sk td.span{{box-shadow:inset 0 0 0 1px {_HIGHLIGHT}}}"
    ".cnnbook-sk td.blank{background:#fafafa}"
    ".cnnbook-sk caption{font:12px sans-serif;text-align:left;padding-bottom:2px;white-space:nowrap}"
    ".cnnbook-sk .grids{display:flex;gap:18px;align-items:flex-start;flex-wrap:wrap}</style>"
)


class SlidingKernel(BookWidget):
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
        import ipywidgets as widgets

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
            preset = _checks.choice(kernel, "kernel", tuple(KERNEL_PRESETS))
            kernel_array = parse_kernel(KERNEL_PRESETS[preset], channels=channels)
            kernel_array = kernel_array[..., np.newaxis] if kernel_array.ndim == 2 else kernel_array
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
        if channels == 1:
            kernel_array = kernel_array.reshape(kernel_array.shape[0], kernel_array.shape[1], 1)
        stride = _checks.integer(stride, "stride", 1, _MAX_STRIDE)
        dilation = _checks.integer(dilation, "dilation", 1, _MAX_DILATION)
        position = _checks.integer(position, "position", 0)
        self._decimals = _checks.integer(decimals, "decimals", 0, 6)
        if not isinstance(flip, (bool, np.bool_)):
            raise TypeError(f"flip must be True or False; got {_shown_value(flip)}")
        padding = _padding_value(padding)
        padding_options = list(_PADDING_OPTIONS)
        if padding not in [value for _, value in padding_options]:
            padding_options.append((str(padding), padding))
        self._title = title
        # First structure: raises (with conv2d's message) if the kernel does not fit.
        self._apply_structure(kernel_array, stride, padding, dilation, bool(flip))

        wide = {"description_width": "initial"}
        self.preset_dropdown = widgets.Dropdown(
            options=[(name, name) for name in KERNEL_PRESETS] + [(_CUSTOM, _CUSTOM)],
            value=self._preset_name(),
            description="kernel",
            style=wide,
            layout=widgets.Layout(width="220px"),
        )
        self.padding_dropdown = widgets.Dropdown(
            options=padding_options,
            value=padding,
            description="padding",
            style=wide,
            layout=widgets.Layout(width="160px"),
        )
        # Stride and dilation: 1 to 3 (or the value asked for), applied on release.
        self.stride_slider, self.dilation_slider = (
            widgets.IntSlider(
                value=value,
                min=1,
                max=max(3, value),
                description=label,
                continuous_update=False,
                style=wide,
                layout=widgets.Layout(width="200px"),
            )
            for label, value in (("stride", stride), ("dilation", dilation))
        )
        self.flip_checkbox = widgets.Checkbox(
            value=self._flip,
            description="convolution (rotate the kernel 180\u00b0)",
            indent=False,
            layout=widgets.Layout(width="300px"),
        )
        last = self._output.size - 1
        self.position_slider = widgets.IntSlider(
            value=min(position, last),
            min=0,
            max=last,
            description="output cell",
            continuous_update=True,
            style=wide,
            layout=widgets.Layout(width="360px"),
        )
        self.play = widgets.Play(
            value=self.position_slider.value, min=0, max=last, step=1, interval=600, description="play"
        )
        self._play_link = widgets.link((self.play, "value"), (self.position_slider, "value"))
        self.kernel_text = widgets.Textarea(
            value=_kernel_text(self._kernel),
            description="kernel values",
            continuous_update=False,
            style=wide,
            layout=widgets.Layout(width="330px", height="110px"),
        )
        self.info_html = widgets.HTML(value="")
        self.input_html = widgets.HTML(value="")
        self.kernel_html = widgets.HTML(value="")
        self.products_html = widgets.HTML(value="")
        self.output_html = widgets.HTML(value="")
        slices = " A line holding only | separates the channels' slices." if channels > 1 else ""
        hint = widgets.HTML(
            value="<small>One kernel row per line; numbers such as 2, -1.5 or 1/9."
            + slices
            + " The kernel updates when you click outside the box.</small>",
            layout=widgets.Layout(width="260px"),
        )
        header = widgets.HTML(value=f"<b>{html.escape(title)}</b>" if title else "")

        self._observe(self.position_slider, self._on_position)
        for control in (self.stride_slider, self.dilation_slider, self.padding_dropdown, self.flip_checkbox):
            self._observe(control, self._on_structure_control)
        self._observe(self.preset_dropdown, self._on_preset)
        self._observe(self.kernel_text, self._on_kernel_text)

        gap = widgets.Layout(margin="0 24px 0 0")
        self.input_html.layout = gap
        self._assemble(
            header,
            widgets.HBox([self.preset_dropdown, self.padding_dropdown, self.stride_slider, self.dilation_slider]),
            widgets.HBox([self.play, self.position_slider, self.flip_checkbox]),
            self.info_html,
            widgets.HBox(
                [self.input_html, widgets.VBox([self.kernel_html, self.products_html], layout=gap), self.output_html]
            ),
            widgets.HBox([self.kernel_text, hint]),
        )
        self._render_structure()
        self._render_position()

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------

    def _squeeze(self, array):
        return array[..., 0] if self._image.shape[2] == 1 else array

    @property
    def image(self):
        """The input image (float64 copy; 2-D for a one-channel image)."""
        return self._squeeze(self._image).copy()

    @property
    def kernel(self):
        """The kernel in use, as typed (the last valid one; 2-D for a one-channel image)."""
        return self._squeeze(self._kernel).copy()

    @property
    def applied_kernel(self):
        """The kernel as it slides: :attr:`kernel`, rotated by 180 degrees in convolution mode."""
        return self._squeeze(self._applied).copy()

    @property
    def output(self):
        """The full output map ``conv2d(image, applied_kernel, stride, padding, dilation)``."""
        return self._output.copy()

    @property
    def padded(self):
        """The zero-padded input the kernel slides over (2-D for a one-channel image)."""
        return self._squeeze(self._padded).copy()

    @property
    def current_cell(self):
        """``(row, col)`` of the output cell shown now."""
        return divmod(self._position, self._output.shape[1])

    @property
    def settings(self):
        """The structure in use: dict with kernel, stride, padding, dilation and flip."""
        return {
            "kernel": self.kernel,
            "stride": self._stride,
            "padding": self._padding,
            "dilation": self._dilation,
            "flip": self._flip,
        }

    def state(self):
        """The settings shown: stride, padding, dilation, flip, preset name, position, kernel."""
        return {
            "stride": self._stride,
            "padding": self._padding,
            "dilation": self._dilation,
            "flip": self._flip,
            "preset": self._preset_name(),
            "position": self._position,
            "kernel": self.kernel,
        }

    def _controls(self):
        return {
            "stride": self.stride_slider,
            "padding": self.padding_dropdown,
            "dilation": self.dilation_slider,
            "flip": self.flip_checkbox,
            "preset": self.preset_dropdown,
            "position": self.position_slider,
        }

    def _preset_name(self):
        """Name of the preset equal to the kernel (on every channel), or the custom label."""
        slices = [self._kernel[..., c] for c in range(self._kernel.shape[2])]
        if any(not np.array_equal(s, slices[0]) for s in slices):
            return _CUSTOM
        return next(
            (
                name
                for name, text in KERNEL_PRESETS.items()
                if np.array_equal(_parse_grid(text, _MAX_KERNEL), slices[0])
            ),
            _CUSTOM,
        )

    def _apply_structure(self, kernel, stride, padding, dilation, flip):
        """Precompute everything that depends on the structure; raise if it does not fit."""
        applied = kernel[::-1, ::-1] if flip else kernel
        h, w = self._image.shape[:2]
        output = conv2d(self._image, applied[..., np.newaxis], stride=stride, padding=padding, dilation=dilation)[
            ..., 0
        ]
        rows = pad_amounts(h, kernel.shape[0], stride, padding, dilation)
        cols = pad_amounts(w, kernel.shape[1], stride, padding, dilation)
        self._kernel, self._applied, self._flip = kernel, applied, flip
        self._stride, self._padding, self._dilation = stride, padding, dilation
        self._output, self._pads = output, (rows, cols)
        self._padded = np.pad(self._image, (rows, cols, (0, 0)))
        is_pad = np.ones(self._padded.shape[:2], dtype=bool)
        is_pad[rows[0] : rows[0] + h, cols[0] : cols[0] + w] = False
        self._is_pad = is_pad
        self._position = min(getattr(self, "_position", 0), output.size - 1)

    def _window_indices(self, row, col):
        """Rows and columns of the padded input under the kernel's taps."""
        kh, kw = self._kernel.shape[:2]
        rows = row * self._stride + self._dilation * np.arange(kh)
        cols = col * self._stride + self._dilation * np.arange(kw)
        return rows, cols

    # ------------------------------------------------------------------
    # Precomputed strings (structural changes)
    # ------------------------------------------------------------------

    def _render_structure(self):
        """Precompute cell strings and the static tables after a structural change."""
        d = self._decimals
        channels = self._image.shape[2]
        in_scale = _symmetric_scale(self._image)
        self._input_cells = []
        for ch in range(channels):
            plain, hot, span = [], [], []
            for r in range(self._padded.shape[0]):
                row_plain, row_hot, row_span = [], [], []
                for c in range(self._padded.shape[1]):
                    value = self._padded[r, c, ch]
                    extra = "pad " if self._is_pad[r, c] else ""
                    cell_style = _grey_style(value, in_scale)
                    text = _fmt(value, d)
                    row_plain.append(f'<td class="{extra.strip()}" style="{cell_style}">{text}</td>')
                    row_hot.append(f'<td class="{extra}hot" style="{cell_style}">{text}</td>')
                    row_span.append(f'<td class="{extra}span" style="{cell_style}">{text}</td>')
                plain.append(row_plain)
                hot.append(row_hot)
                span.append(row_span)
            self._input_cells.append((plain, hot, span))

        out_scale = _symmetric_scale(self._output)
        self._output_cells = []
        for value in self._output.ravel():
            cell_style = _grey_style(value, out_scale)
            text = _fmt(value, d)
            self._output_cells.append(
                (f'<td style="{cell_style}">{text}</td>', f'<td class="hot" style="{cell_style}">{text}</td>')
            )
        self._blank_cell = '<td class="blank"></td>'

        k_scale = _symmetric_scale(self._applied)
        kh, kw = self._kernel.shape[:2]
        tables = []
        for ch in range(channels):
            kernel_rows = "".join(
                "<tr>" + "".join(f'<td style="{_grey_style(v, k_scale)}">{_fmt(v, 3)}</td>' for v in row) + "</tr>"
                for row in self._applied[..., ch]
            )
            what = "kernel rotated 180&deg;" if self._flip else "kernel"
            channel = f", channel {ch}" if channels > 1 else ""
            tables.append(
                f'<table class="sk-kernel"><caption>{what} {kh}&times;{kw}{channel}</caption>{kernel_rows}</table>'
            )
        self.kernel_html.value = f'<div class="cnnbook-sk">{_STYLE}<div class="grids">{"".join(tables)}</div></div>'

        (top, bottom), (left, right) = self._pads
        n_rows, n_cols = self._image.shape[:2]
        reach_h = self._dilation * (kh - 1) + 1
        reach_w = self._dilation * (kw - 1) + 1
        out_h, out_w = self._output.shape
        formula = "&lfloor;({n} + {a} + {b} &minus; {reach}) / {s}&rfloor; + 1 = {o}"
        mode = (
            "Convolution: the kernel is rotated by 180&deg; before it slides. "
            if self._flip
            else "Correlation (what CNN layers compute): the kernel slides as typed. "
        )
        across = f"The products are summed over all {channels} channels. " if channels > 1 else ""
        self.info_html.value = (
            f"<small>{mode}{across}Input {n_rows}&times;{n_cols}; padding {html.escape(repr(self._padding))} "
            f"adds {top} row(s) on top, {bottom} at the bottom, {left} column(s) on the left, {right} on the "
            f"right (hatched cells) &rarr; padded {self._padded.shape[0]}&times;{self._padded.shape[1]}. "
            f"The {kh}&times;{kw} kernel with dilation {self._dilation} spans {reach_h}&times;{reach_w} cells. "
            "Output rows: "
            + formula.format(n=n_rows, a=top, b=bottom, reach=reach_h, s=self._stride, o=out_h)
            + ", columns: "
            + formula.format(n=n_cols, a=left, b=right, reach=reach_w, s=self._stride, o=out_w)
            + ".</small>"
        )

    # ------------------------------------------------------------------
    # Position updates (only joins precomputed strings)
    # ------------------------------------------------------------------

    def _render_position(self):
        position = self._position
        out_h, out_w = self._output.shape
        row, col = divmod(position, out_w)
        rows, cols = self._window_indices(row, col)
        row_set, col_set = set(rows.tolist()), set(cols.tolist())
        top, left = int(rows[0]), int(cols[0])
        bottom, right = int(rows[-1]), int(cols[-1])
        channels = self._image.shape[2]
        tables = []
        for ch in range(channels):
            plain, hot, span = self._input_cells[ch]
            lines = []
            for r in range(self._padded.shape[0]):
                if top <= r <= bottom:
                    cells = []
                    for c in range(self._padded.shape[1]):
                        if r in row_set and c in col_set:
                            cells.append(hot[r][c])
                        elif left <= c <= right:
                            cells.append(span[r][c])
                        else:
                            cells.append(plain[r][c])
                    lines.append("<tr>" + "".join(cells) + "</tr>")
                else:
                    lines.append("<tr>" + "".join(plain[r]) + "</tr>")
            channel = f", channel {ch}" if channels > 1 else ""
            tables.append(
                f'<table class="sk-input"><caption>padded input {self._padded.shape[0]}&times;'
                f"{self._padded.shape[1]}{channel}</caption>{''.join(lines)}</table>"
            )
        self.input_html.value = f'<div class="cnnbook-sk">{_STYLE}<div class="grids">{"".join(tables)}</div></div>'

        cells = self._output_cells
        out_lines = []
        for r in range(out_h):
            start = r * out_w
            out_lines.append(
                "<tr>"
                + "".join(
                    cells[i][0] if i < position else cells[i][1] if i == position else self._blank_cell
                    for i in range(start, start + out_w)
                )
                + "</tr>"
            )
        self.output_html.value = (
            f'<div class="cnnbook-sk">{_STYLE}<table class="sk-output"><caption>output {out_h}&times;{out_w}'
            f"</caption>{''.join(out_lines)}</table></div>"
        )

        window = self._padded[np.ix_(rows, cols, np.arange(channels))]
        products = window * self._applied
        total = float(self._output[row, col])
        d = self._decimals
        tables = []
        for ch in range(channels):
            prod_rows = "".join(
                "<tr>"
                + "".join(
                    f'<td class="sk-prod">{_fmt(x, d)}&times;{_weight(w)}<br><b>{_fmt(p, d)}</b></td>'
                    for x, w, p in zip(window[i, :, ch], self._applied[i, :, ch], products[i, :, ch])
                )
                + "</tr>"
                for i in range(window.shape[0])
            )
            channel = f", channel {ch}" if channels > 1 else ""
            tables.append(
                f'<table class="sk-products"><caption>input &times; weight = product{channel}'
                f"</caption>{prod_rows}</table>"
            )
        terms = " + ".join(_fmt(p, d) for p in np.moveaxis(products, 2, 0).ravel()).replace("+ -", "&minus; ")
        if products.size > 27:
            terms = f"the sum of {products.size} products"
        self.products_html.value = (
            f'<div class="cnnbook-sk">{_STYLE}<div class="grids">{"".join(tables)}</div>'
            f'<div style="max-width:360px;font:12px monospace">O[{row}, {col}] = {terms} = '
            f'<b class="sk-sum">{_fmt(total, d)}</b></div></div>'
        )

    # ------------------------------------------------------------------
    # Control handlers (guarded by BookWidget._observe)
    # ------------------------------------------------------------------

    def _sync_position_range(self):
        """Fit the position slider and the Play button to the new number of output cells."""
        last = self._output.size - 1
        with self._quietly():
            for control in (self.position_slider, self.play):
                if control.value > last:
                    control.value = last
                control.max = last
            self.position_slider.value = self._position

    def _try_structure(self, kernel, stride, padding, dilation, flip, note="The last valid setting is still shown"):
        """Apply a new structure, or raise InputError (the last valid one stays)."""
        try:
            self._apply_structure(kernel, stride, padding, dilation, flip)
        except (ValueError, TypeError) as error:
            raise InputError(f"{error}. {note}.") from None
        self._sync_position_range()
        self._render_structure()
        self._render_position()

    def _on_position(self, change):
        self._position = _checks.integer(change["new"], "output cell", 0, self._output.size - 1)
        self._render_position()

    def _on_structure_control(self, change):
        flip = self.flip_checkbox.value
        if not isinstance(flip, (bool, np.bool_)):
            raise InputError(f"the convolution toggle must be True or False; got {_shown_value(flip)}")
        self._try_structure(
            self._kernel,
            _checks.integer(self.stride_slider.value, "stride", 1, _MAX_STRIDE),
            _padding_value(self.padding_dropdown.value),
            _checks.integer(self.dilation_slider.value, "dilation", 1, _MAX_DILATION),
            bool(flip),
        )

    def _on_preset(self, change):
        name = change["new"]
        if name == _CUSTOM:  # custom means typed: the dropdown keeps naming the kernel in use
            self._set_quietly(self.preset_dropdown, self._preset_name())
            return
        self._try_structure(self._parse(KERNEL_PRESETS[name]), self._stride, self._padding, self._dilation, self._flip)
        self._set_quietly(self.kernel_text, KERNEL_PRESETS[name])

    def _parse(self, text):
        """A typed kernel as (kh, kw, C)."""
        kernel = parse_kernel(text, channels=self._image.shape[2])
        return kernel[..., np.newaxis] if kernel.ndim == 2 else kernel

    def _on_kernel_text(self, change):
        try:
            kernel = self._parse(change["new"])
        except (ValueError, TypeError) as error:
            raise InputError(f"{error}. Still using the last valid kernel.") from None
        self._try_structure(
            kernel, self._stride, self._padding, self._dilation, self._flip, note="Still using the last valid kernel"
        )
        self._set_quietly(self.preset_dropdown, self._preset_name())

    # ------------------------------------------------------------------
    # BookWidget interface
    # ------------------------------------------------------------------

    def _build_standin(self):
        """The widget in HTML+JavaScript (``js/sliding_kernel.js``): the same controls, computed in the page."""
        padding_options = [value for _, value in _PADDING_OPTIONS]
        if self._padding not in padding_options:
            padding_options.append(self._padding)
        data = {
            "image": np.moveaxis(self._image, 2, 0).tolist(),
            "presets": KERNEL_PRESETS,
            "kernelText": _kernel_text(self._kernel),
            "kernel": np.moveaxis(self._kernel, 2, 0).tolist(),
            "stride": self._stride,
            "padding": self._padding,
            "dilation": self._dilation,
            "flip": self._flip,
            "position": self._position,
            "decimals": self._decimals,
            "paddingOptions": padding_options,
            "maxKernel": _MAX_KERNEL,
            "maxValue": MAX_VALUE,
            "maxStride": max(3, self._stride),
            "maxDilation": max(3, self._dilation),
        }
        title = f"<p><b>{html.escape(self._title)}</b></p>" if self._title else ""
        return (
            f'<div class="cnnbook-sk-page" id="sk-CNNBOOKID">{title}{_STYLE}'
            "<noscript><p>This interactive view needs JavaScript.</p></noscript></div>"
            f'<script type="application/json" id="sk-CNNBOOKID-data">{_json_for_script(data)}</script>'
            f'<script>{_script("sliding_kernel")}\ncnnbookSlidingKernel("sk-CNNBOOKID");</script>'
        )

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
        """Each control change through to the new picture: position, stride, padding,
        dilation, preset, typed kernel, convolution toggle."""

        def move():
            self.position_slider.value = (self.position_slider.value + 1) % (self.position_slider.max + 1)

        def stride():
            self.stride_slider.value = 2 if self.stride_slider.value == 1 else 1

        def padding():
            self.padding_dropdown.value = "valid" if self.padding_dropdown.value != "valid" else "same"

        def dilation():
            self.dilation_slider.value = 2 if self.dilation_slider.value == 1 else 1

        def preset():
            self.preset_dropdown.value = "sharpen" if self.preset_dropdown.value != "sharpen" else "Sobel y"

        def typed():
            prewitt, laplacian = "1 0 -1\n1 0 -1\n1 0 -1", "0 1 0\n1 -4 1\n0 1 0"
            self.kernel_text.value = laplacian if self.kernel_text.value == prewitt else prewitt

        def flip():
            self.flip_checkbox.value = not self.flip_checkbox.value

        return [move, stride, padding, dilation, preset, typed, flip]
