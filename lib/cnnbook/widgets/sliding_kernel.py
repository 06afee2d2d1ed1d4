"""The sliding-kernel widget of chapter 1 ("Convolution review").

A kernel slides over a small image shown as a grid of numbers. For the
current output cell the widget highlights the kernel's window on the
(zero-padded) input, writes out the element-wise products and their sum, and
fills the output map up to that cell. Controls: output cell (with a Play
button), stride, padding, dilation, kernel presets and typed kernel values.

Everything is drawn as HTML tables built from strings (no matplotlib in the
live widget): the full output and every table cell are precomputed when the
structure changes (image, kernel, stride, padding, dilation), so moving to
another output cell only joins precomputed strings. The HTML book shows a
precomputed animation instead (:meth:`SlidingKernel.fallback_html`).

Colours: one grey scale per grid, symmetric about zero, so zero is mid-grey,
negative values are darker and positive values lighter (the kernel and a
Sobel output have both signs). Zero-padding cells are hatched.
"""
import html

import numpy as np

from ..conv import conv2d, pad_amounts
from .base import BookWidget

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
_HIGHLIGHT = "#ff7f0e"


def parse_kernel(text, max_size=_MAX_KERNEL):
    """Read a kernel typed as text: one row per line, numbers separated by spaces.

    Chapter 1 ("Convolution review") uses it for the sliding-kernel widget's
    kernel box. Commas and semicolons also separate numbers and rows, square
    brackets are ignored (so a pasted ``[[1, 2], [3, 4]]`` works), and a
    fraction such as ``1/9`` is allowed.

    Parameters
    ----------
    text : str
        The typed kernel.
    max_size : int, default 7
        Largest number of rows and of columns.

    Returns
    -------
    numpy.ndarray of float64, shape (rows, cols)

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If the text holds no number, a value is not a finite number, the rows
        have different lengths or the kernel is larger than ``max_size``; the
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
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    lines = text.replace("[", " ").replace("]", "\n").replace(";", "\n").splitlines()
    rows = [line.replace(",", " ").split() for line in lines]
    rows = [row for row in rows if row]
    if not rows:
        raise ValueError("the kernel is empty: type rows of numbers, one row per line, e.g. 1 2 1")
    values = []
    for row_number, row in enumerate(rows, start=1):
        values.append([_parse_number(token, row_number) for token in row])
    lengths = [len(row) for row in values]
    if len(set(lengths)) > 1:
        bad = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise ValueError(
            f"every row needs the same number of values: row 1 has {lengths[0]}, "
            f"row {bad + 1} has {lengths[bad]}"
        )
    if len(values) > max_size or lengths[0] > max_size:
        raise ValueError(
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
    except (ValueError, ZeroDivisionError):
        raise ValueError(problem) from None
    if not np.isfinite(value):
        raise ValueError(f"{token!r} in row {row_number} is not a finite number")
    return value


def _check_int(value, name, minimum):
    """``value`` as an int >= ``minimum``, or a TypeError/ValueError naming ``name``."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def _preset_for(kernel):
    """Name of the preset equal to ``kernel``, or the custom label."""
    return next((name for name, text in KERNEL_PRESETS.items()
                 if np.array_equal(parse_kernel(text), kernel)), _CUSTOM)


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


class SlidingKernel(BookWidget):
    """A kernel sliding over an image shown as numbers (chapter 1, "Convolution review").

    Parameters
    ----------
    image : array_like, shape (H, W)
        A small grey image, at most 20x20 (for example the lecture's 7x7 image
        or a crop of a photo scaled to 0-255).
    kernel : str or array_like, default "lecture kernel"
        A name from :data:`KERNEL_PRESETS` or a 2-D array of at most 7x7.
    stride : int, default 1
        Step between windows, >= 1.
    padding : {"valid", "same", "full"} or int, default "same"
        As in :func:`cnnbook.conv.conv2d`.
    dilation : int, default 1
        Spacing between kernel taps, >= 1.
    position : int, default 0
        Output cell shown first (row-major index).
    decimals : int, default 2
        Decimals shown for values that are not integers.
    title : str, optional
        Caption shown above the widget and the fallback animation.

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
    """

    def __init__(self, image, kernel="lecture kernel", stride=1, padding="same", dilation=1,
                 position=0, decimals=2, title=None):
        import ipywidgets as widgets

        self._image = self._check_image(image)
        if isinstance(kernel, str):
            if kernel not in KERNEL_PRESETS:
                raise ValueError(
                    f"kernel must be one of {', '.join(map(repr, KERNEL_PRESETS))} or a 2-D array; got {kernel!r}")
            kernel_array = parse_kernel(KERNEL_PRESETS[kernel])
        else:
            kernel_array = self._check_kernel(kernel)
        preset = _preset_for(kernel_array)
        kernel_text = KERNEL_PRESETS.get(preset) or "\n".join(
            " ".join(_fmt(v, 6) for v in row) for row in kernel_array)
        stride = _check_int(stride, "stride", 1)
        dilation = _check_int(dilation, "dilation", 1)
        position = _check_int(position, "position", 0)
        self._decimals = _check_int(decimals, "decimals", 0)
        padding_options = list(_PADDING_OPTIONS)
        if isinstance(padding, str):
            padding = padding.lower()
            if padding not in ("valid", "same", "full"):
                raise ValueError(f"padding must be 'valid', 'same', 'full' or an int >= 0; got {padding!r}")
        else:
            padding = _check_int(padding, "padding", 0)
            if padding not in [value for _, value in padding_options]:
                padding_options.append((str(padding), padding))
        self._title = title
        self._quiet = False
        self._fallback_cache = None
        # First structure: raises (with conv2d's message) if the kernel does not fit.
        self._apply_structure(kernel_array, stride, padding, dilation)

        wide = {"description_width": "initial"}
        self.preset_dropdown = widgets.Dropdown(
            options=[(name, name) for name in KERNEL_PRESETS] + [(_CUSTOM, _CUSTOM)],
            value=preset, description="kernel", style=wide, layout=widgets.Layout(width="220px"))
        self.padding_dropdown = widgets.Dropdown(
            options=padding_options, value=padding, description="padding", style=wide,
            layout=widgets.Layout(width="160px"))
        self.stride_slider = widgets.IntSlider(
            value=stride, min=1, max=max(3, stride), description="stride",
            continuous_update=False, style=wide, layout=widgets.Layout(width="200px"))
        self.dilation_slider = widgets.IntSlider(
            value=dilation, min=1, max=max(3, dilation), description="dilation",
            continuous_update=False, style=wide, layout=widgets.Layout(width="200px"))
        last = self.output.size - 1
        self.position_slider = widgets.IntSlider(
            value=min(position, last), min=0, max=last, description="output cell",
            continuous_update=True, style=wide, layout=widgets.Layout(width="360px"))
        self.play = widgets.Play(value=self.position_slider.value, min=0, max=last, step=1, interval=600,
                                 description="play")
        self._play_link = widgets.link((self.play, "value"), (self.position_slider, "value"))
        self.kernel_text = widgets.Textarea(
            value=kernel_text, description="kernel values", continuous_update=False, style=wide,
            layout=widgets.Layout(width="330px", height="110px"))
        self.message_html = widgets.HTML(value="")
        self.info_html = widgets.HTML(value="")
        self.input_html = widgets.HTML(value="")
        self.kernel_html = widgets.HTML(value="")
        self.products_html = widgets.HTML(value="")
        self.output_html = widgets.HTML(value="")
        hint = widgets.HTML(
            value="<small>One kernel row per line; numbers such as 2, -1.5 or 1/9. "
                  "The kernel updates when you click outside the box.</small>",
            layout=widgets.Layout(width="260px"))
        header = widgets.HTML(value=f"<b>{html.escape(title)}</b>" if title else "")

        self.position_slider.observe(self._on_position, names="value")
        self.stride_slider.observe(self._on_structure_control, names="value")
        self.dilation_slider.observe(self._on_structure_control, names="value")
        self.padding_dropdown.observe(self._on_structure_control, names="value")
        self.preset_dropdown.observe(self._on_preset, names="value")
        self.kernel_text.observe(self._on_kernel_text, names="value")

        gap = widgets.Layout(margin="0 24px 0 0")
        self.input_html.layout = gap
        self.ui = widgets.VBox([
            header,
            widgets.HBox([self.preset_dropdown, self.padding_dropdown, self.stride_slider, self.dilation_slider]),
            widgets.HBox([self.play, self.position_slider]),
            self.info_html,
            widgets.HBox([self.input_html, widgets.VBox([self.kernel_html, self.products_html], layout=gap),
                          self.output_html]),
            widgets.HBox([self.kernel_text, hint]),
            self.message_html,
        ])
        self._render_structure()
        self._render_position()

    # ------------------------------------------------------------------
    # Validation of constructor arguments
    # ------------------------------------------------------------------

    @staticmethod
    def _check_image(image):
        try:
            array = np.asarray(image)
        except (ValueError, TypeError):
            raise ValueError("image must be a rectangular 2-D numeric array") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"image must hold real numbers; got dtype {array.dtype}")
        if array.ndim != 2 or min(array.shape) < 1 or max(array.shape) > _MAX_IMAGE:
            raise ValueError(
                f"image must be 2-D with 1 to {_MAX_IMAGE} rows and columns (crop a larger "
                f"image first); got shape {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError("image must hold finite numbers (no NaN or infinity)")
        return array

    @staticmethod
    def _check_kernel(kernel):
        try:
            array = np.asarray(kernel)
        except (ValueError, TypeError):
            raise ValueError("kernel must be a preset name or a rectangular 2-D numeric array") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"kernel must hold real numbers; got dtype {array.dtype}")
        if array.ndim != 2 or min(array.shape) < 1 or max(array.shape) > _MAX_KERNEL:
            raise ValueError(
                f"kernel must be 2-D with 1 to {_MAX_KERNEL} rows and columns; got shape {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError("kernel must hold finite numbers (no NaN or infinity)")
        return array

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------

    @property
    def image(self):
        """The input image (float64 copy)."""
        return self._image.copy()

    @property
    def kernel(self):
        """The kernel in use (the last valid one)."""
        return self._kernel.copy()

    @property
    def output(self):
        """The full output map ``conv2d(image, kernel, stride, padding, dilation)``."""
        return self._output.copy()

    @property
    def padded(self):
        """The zero-padded input the kernel slides over."""
        return self._padded.copy()

    @property
    def current_cell(self):
        """``(row, col)`` of the output cell shown now."""
        return divmod(self._position_value(), self._output.shape[1])

    @property
    def settings(self):
        """The structure in use: dict with kernel, stride, padding and dilation."""
        return {"kernel": self.kernel, "stride": self._stride, "padding": self._padding,
                "dilation": self._dilation}

    def _position_value(self):
        slider = getattr(self, "position_slider", None)
        return 0 if slider is None else min(slider.value, self._output.size - 1)

    def _apply_structure(self, kernel, stride, padding, dilation):
        """Precompute everything that depends on the structure; raise if it does not fit."""
        output = conv2d(self._image, kernel, stride=stride, padding=padding, dilation=dilation)
        rows = pad_amounts(self._image.shape[0], kernel.shape[0], stride, padding, dilation)
        cols = pad_amounts(self._image.shape[1], kernel.shape[1], stride, padding, dilation)
        self._kernel, self._stride, self._padding, self._dilation = kernel, stride, padding, dilation
        self._output, self._pads = output, (rows, cols)
        self._padded = np.pad(self._image, (rows, cols))
        is_pad = np.ones(self._padded.shape, dtype=bool)
        is_pad[rows[0]:rows[0] + self._image.shape[0], cols[0]:cols[0] + self._image.shape[1]] = False
        self._is_pad = is_pad
        self._fallback_cache = None

    def _window_indices(self, row, col):
        """Rows and columns of the padded input under the kernel's taps."""
        kh, kw = self._kernel.shape
        rows = row * self._stride + self._dilation * np.arange(kh)
        cols = col * self._stride + self._dilation * np.arange(kw)
        return rows, cols

    # ------------------------------------------------------------------
    # Precomputed strings (structural changes)
    # ------------------------------------------------------------------

    def _style_block(self):
        return (
            "<style>.cnnbook-sk table{border-collapse:collapse;font:12px/1.2 monospace;margin:2px 0}"
            ".cnnbook-sk td{min-width:2.3em;height:1.9em;padding:0 3px;text-align:center;"
            "border:1px solid #d0d0d0}"
            ".cnnbook-sk td.pad{font-style:italic;background-image:repeating-linear-gradient("
            "45deg,rgba(255,255,255,.45) 0 2px,transparent 2px 6px)}"
            f".cnnbook-sk td.hot{{box-shadow:inset 0 0 0 3px {_HIGHLIGHT}}}"
            ".cnnbook-sk td.span{box-shadow:inset 0 0 0 1px " + _HIGHLIGHT + "}"
            ".cnnbook-sk td.blank{background:#fafafa}"
            ".cnnbook-sk caption{font:12px sans-serif;text-align:left;padding-bottom:2px;"
            "white-space:nowrap}</style>"
        )

    def _render_structure(self):
        """Precompute cell strings and the static tables after a structural change."""
        d = self._decimals
        style = self._style_block()
        in_scale = _symmetric_scale(self._image)
        plain, hot, span = [], [], []
        for r in range(self._padded.shape[0]):
            row_plain, row_hot, row_span = [], [], []
            for c in range(self._padded.shape[1]):
                value = self._padded[r, c]
                extra = "pad " if self._is_pad[r, c] else ""
                cell_style = _grey_style(value, in_scale)
                text = _fmt(value, d)
                row_plain.append(f'<td class="{extra.strip()}" style="{cell_style}">{text}</td>')
                row_hot.append(f'<td class="{extra}hot" style="{cell_style}">{text}</td>')
                row_span.append(f'<td class="{extra}span" style="{cell_style}">{text}</td>')
            plain.append(row_plain)
            hot.append(row_hot)
            span.append(row_span)
        self._input_cells = (plain, hot, span)

        out_scale = _symmetric_scale(self._output)
        self._output_cells = []
        for value in self._output.ravel():
            cell_style = _grey_style(value, out_scale)
            text = _fmt(value, d)
            self._output_cells.append((
                f'<td style="{cell_style}">{text}</td>',
                f'<td class="hot" style="{cell_style}">{text}</td>',
            ))
        self._blank_cell = '<td class="blank"></td>'

        k_scale = _symmetric_scale(self._kernel)
        kernel_rows = "".join(
            "<tr>" + "".join(f'<td style="{_grey_style(v, k_scale)}">{_fmt(v, 3)}</td>' for v in row) + "</tr>"
            for row in self._kernel)
        kh, kw = self._kernel.shape
        self.kernel_html.value = (
            f'<div class="cnnbook-sk">{style}<table class="sk-kernel"><caption>kernel {kh}&times;{kw}'
            f"</caption>{kernel_rows}</table></div>")

        (top, bottom), (left, right) = self._pads
        n_rows, n_cols = self._image.shape
        reach_h = self._dilation * (kh - 1) + 1
        reach_w = self._dilation * (kw - 1) + 1
        out_h, out_w = self._output.shape
        formula = (
            "&lfloor;({n} + {a} + {b} &minus; {reach}) / {s}&rfloor; + 1 = {o}")
        self.info_html.value = (
            f"<small>Input {n_rows}&times;{n_cols}; padding {html.escape(repr(self._padding))} adds "
            f"{top} row(s) on top, {bottom} at the bottom, {left} column(s) on the left, {right} on the right "
            f"(hatched cells) &rarr; padded {self._padded.shape[0]}&times;{self._padded.shape[1]}. "
            f"The {kh}&times;{kw} kernel with dilation {self._dilation} spans {reach_h}&times;{reach_w} cells. "
            f"Output rows: "
            + formula.format(n=n_rows, a=top, b=bottom, reach=reach_h, s=self._stride, o=out_h)
            + ", columns: "
            + formula.format(n=n_cols, a=left, b=right, reach=reach_w, s=self._stride, o=out_w)
            + ".</small>")
        self._style = style

    # ------------------------------------------------------------------
    # Position updates (only joins precomputed strings)
    # ------------------------------------------------------------------

    def _render_position(self):
        position = self._position_value()
        out_h, out_w = self._output.shape
        row, col = divmod(position, out_w)
        rows, cols = self._window_indices(row, col)
        plain, hot, span = self._input_cells
        tap_rows, tap_cols = set(rows.tolist()), set(cols.tolist())
        span_rows = range(rows[0], rows[-1] + 1)
        span_cols = range(cols[0], cols[-1] + 1)
        lines = []
        for r in range(self._padded.shape[0]):
            if r in span_rows:
                cells = []
                for c in range(self._padded.shape[1]):
                    if r in tap_rows and c in tap_cols:
                        cells.append(hot[r][c])
                    elif c in span_cols:
                        cells.append(span[r][c])
                    else:
                        cells.append(plain[r][c])
                lines.append("<tr>" + "".join(cells) + "</tr>")
            else:
                lines.append("<tr>" + "".join(plain[r]) + "</tr>")
        self.input_html.value = (
            f'<div class="cnnbook-sk">{self._style}<table class="sk-input"><caption>padded input '
            f"{self._padded.shape[0]}&times;{self._padded.shape[1]}</caption>{''.join(lines)}</table></div>")

        cells = self._output_cells
        out_lines = []
        for r in range(out_h):
            start = r * out_w
            out_lines.append("<tr>" + "".join(
                cells[i][0] if i < position else cells[i][1] if i == position else self._blank_cell
                for i in range(start, start + out_w)) + "</tr>")
        self.output_html.value = (
            f'<div class="cnnbook-sk">{self._style}<table class="sk-output"><caption>output {out_h}&times;{out_w}'
            f"</caption>{''.join(out_lines)}</table></div>")

        window = self._padded[np.ix_(rows, cols)]
        products = window * self._kernel
        total = float(products.sum())
        d = self._decimals
        prod_rows = "".join(
            "<tr>" + "".join(
                f'<td class="sk-prod">{_fmt(x, d)}&times;{_weight(w)}<br><b>{_fmt(p, d)}</b></td>'
                for x, w, p in zip(window[i], self._kernel[i], products[i])) + "</tr>"
            for i in range(window.shape[0]))
        terms = " + ".join(_fmt(p, d) for p in products.ravel()).replace("+ -", "&minus; ")
        self.products_html.value = (
            f'<div class="cnnbook-sk">{self._style}<table class="sk-products"><caption>input &times; weight '
            f"= product at output ({row}, {col})</caption>{prod_rows}</table>"
            f'<div style="max-width:360px;font:12px monospace">O[{row}, {col}] = {terms} = '
            f'<b class="sk-sum">{_fmt(total, d)}</b></div></div>')

    # ------------------------------------------------------------------
    # Control handlers (never raise: bad input shows a message)
    # ------------------------------------------------------------------

    def _show_message(self, text):
        self.message_html.value = (
            f'<div style="color:#b00020"><b>Not applied:</b> {html.escape(text)}</div>' if text else "")

    def _set_quietly(self, control, value):
        self._quiet = True
        try:
            control.value = value
        finally:
            self._quiet = False

    def _sync_position_range(self):
        """Fit the position slider and the Play button to the new number of output cells."""
        last = self._output.size - 1
        self._quiet = True
        try:
            for control in (self.position_slider, self.play):
                if control.value > last:
                    control.value = last
                control.max = last
        finally:
            self._quiet = False

    def _try_structure(self, kernel, stride, padding, dilation, note=""):
        """Apply a new structure; on failure show why (and ``note``) and keep the last valid one."""
        try:
            self._apply_structure(kernel, stride, padding, dilation)
        except (ValueError, TypeError) as error:
            self._show_message(f"{error}{note}")
            return False
        self._show_message("")
        self._sync_position_range()
        self._render_structure()
        self._render_position()
        return True

    def _on_position(self, change):
        if not self._quiet:
            self._render_position()

    def _on_structure_control(self, change):
        if self._quiet:
            return
        ok = self._try_structure(self._kernel, self.stride_slider.value, self.padding_dropdown.value,
                                 self.dilation_slider.value)
        if not ok:
            self._set_quietly(change["owner"], change["old"])

    def _on_preset(self, change):
        if self._quiet or change["new"] == _CUSTOM:
            return
        text = KERNEL_PRESETS[change["new"]]
        if self._try_structure(parse_kernel(text), self._stride, self._padding, self._dilation):
            self._set_quietly(self.kernel_text, text)
        else:
            self._set_quietly(self.preset_dropdown, change["old"])

    def _on_kernel_text(self, change):
        if self._quiet:
            return
        try:
            kernel = parse_kernel(change["new"])
        except ValueError as error:
            self._show_message(f"{error}. Still using the last valid kernel.")
            return
        if not self._try_structure(kernel, self._stride, self._padding, self._dilation,
                                   note=". Still using the last valid kernel."):
            return
        self._set_quietly(self.preset_dropdown, _preset_for(kernel))

    # ------------------------------------------------------------------
    # BookWidget interface
    # ------------------------------------------------------------------

    def fallback_html(self, max_frames=16, dpi=72):
        """A precomputed animation of the current settings (the HTML book shows it).

        Frames show the padded input with the window, the kernel and the output
        filling in; the first row of outputs step by step, then evenly spaced
        positions up to the last one (at most ``max_frames`` frames).
        """
        key = (max_frames, dpi, self._stride, self._padding, self._dilation, self._kernel.tobytes(),
               self._kernel.shape)
        if self._fallback_cache is not None and self._fallback_cache[0] == key:
            return self._fallback_cache[1]
        from ..viz import animation_html

        frames = self._fallback_frames(max_frames, dpi)
        kh, kw = self._kernel.shape
        title = self._title or (
            f"A {kh}x{kw} kernel sliding over a {self._image.shape[0]}x{self._image.shape[1]} image "
            f"(stride {self._stride}, padding {self._padding!r}, dilation {self._dilation})")
        result = animation_html(frames, interval=700, title=title,
                                alt="Padded input grid with the kernel window outlined, the kernel, and "
                                    "the output map filled in up to the current cell")
        self._fallback_cache = (key, result)
        return result

    def _frame_positions(self, max_frames):
        count = self._output.size
        if count <= max_frames:
            return list(range(count))
        head = list(range(min(self._output.shape[1] + 1, max_frames // 2)))
        tail = np.linspace(head[-1] + 1, count - 1, max_frames - len(head))
        return head + sorted(set(int(round(t)) for t in tail))

    def _fallback_frames(self, max_frames, dpi):
        """Frames as RGB arrays, composited from two renders of one figure.

        The figure (padded input with numbers, kernel, output grid) is drawn
        twice with matplotlib: output empty and output complete. Each frame
        copies the computed output cells from the second render, outlines the
        window and the current cell, and puts a caption with the products and
        their sum on top; only the one-line caption is drawn per frame.
        """
        from matplotlib import rc_context
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        d = self._decimals
        padded, output, kernel = self._padded, self._output, self._kernel
        ph, pw = padded.shape
        oh, ow = output.shape
        kh, kw = kernel.shape
        widest = max(len(_fmt(v, d)) for v in np.concatenate([padded.ravel(), output.ravel()]))
        wanted = 0.3 + 0.07 * max(widest - 2, 0)
        # Large grids shrink (cells and digits) so the frame stays at most 11 inches wide.
        cell = min(wanted, 11 / (pw + kw + ow + 3))
        font = 8.5 * cell / wanted
        # Beyond about 900 cells the digits would be unreadable (and slow to draw): colours only.
        numbers = ph * pw + oh * ow <= 900
        width = cell * (pw + kw + ow + 3)
        fig = Figure(figsize=(width, cell * (max(ph, oh) + 1.6)))
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(1, 3, width_ratios=[pw, kw + 1, ow], left=0.02, right=0.98, top=0.9,
                                bottom=0.02, wspace=0.12)
        ax_in, ax_k, ax_out = (fig.add_subplot(grid[0, i]) for i in range(3))
        in_scale, out_scale, k_scale = (_symmetric_scale(a) for a in (self._image, output, kernel))

        def ink(value, scale):
            return "black" if 128 + 127 * np.clip(value / scale, -1, 1) >= 110 else "white"

        def draw_grid(ax, values, scale, decimals, title, pad_mask=None):
            """Cells coloured by value, with the numbers written in them when they fit."""
            ax.imshow(values, cmap="gray", vmin=-scale, vmax=scale, interpolation="nearest")
            for (r, c), value in np.ndenumerate(values):
                padding_cell = pad_mask is not None and pad_mask[r, c]
                if numbers:
                    ax.text(c, r, _fmt(value, decimals), ha="center", va="center", fontsize=font,
                            color=ink(value, scale), style="italic" if padding_cell else "normal")
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])

        with rc_context({"text.antialiased": False, "hatch.linewidth": 0.6}):
            draw_grid(ax_in, padded, in_scale, d, f"padded input {ph}x{pw}", self._is_pad)
            # The padding is a frame of four bands around the image: hatch them.
            (top, bottom), (left, right) = self._pads
            for x0, y0, w, h in ((0, 0, pw, top), (0, ph - bottom, pw, bottom),
                                 (0, top, left, ph - top - bottom), (pw - right, top, right, ph - top - bottom)):
                if w and h:
                    ax_in.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), w, h, fill=False, hatch="///",
                                              edgecolor="#b0b0b0", linewidth=0))
            draw_grid(ax_k, kernel, k_scale, 3, "kernel")
            ax_out.imshow(np.ma.masked_all(output.shape), cmap="gray", vmin=-out_scale, vmax=out_scale)
            ax_out.set_facecolor("#fafafa")
            ax_out.set_xlim(-0.5, ow - 0.5)
            ax_out.set_ylim(oh - 0.5, -0.5)
            ax_out.set_title(f"output {oh}x{ow}", fontsize=9)
            ax_out.set_xticks([])
            ax_out.set_yticks([])
            fig.set_dpi(dpi)
            fig.canvas.draw()
            empty = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
            ax_out.clear()
            draw_grid(ax_out, output, out_scale, d, f"output {oh}x{ow}")
            fig.canvas.draw()
            complete = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

            def boxes(ax, n_rows, n_cols):
                """Pixel box (top, bottom, left, right) of every cell of ``ax``."""
                height = empty.shape[0]
                corners = ax.transData.transform([(-0.5, -0.5), (n_cols - 0.5, n_rows - 0.5)])
                xs = np.round(np.linspace(corners[0, 0], corners[1, 0], n_cols + 1)).astype(int)
                ys = np.round(height - np.linspace(corners[0, 1], corners[1, 1], n_rows + 1)).astype(int)
                return ys, xs

            in_rows, in_cols = boxes(ax_in, ph, pw)
            out_rows, out_cols = boxes(ax_out, oh, ow)

            caption_fig = Figure(figsize=(width, 0.3))
            FigureCanvasAgg(caption_fig)
            caption = caption_fig.text(0.5, 0.5, "", ha="center", va="center", fontsize=10)
            caption_fig.set_dpi(dpi)

            frames = []
            highlight = np.array([255, 127, 14], dtype=np.uint8)
            for position in self._frame_positions(max_frames):
                row, col = divmod(position, ow)
                rows, cols = self._window_indices(row, col)
                frame = empty.copy()
                for index in range(position + 1):
                    r, c = divmod(index, ow)
                    box = np.s_[out_rows[r]:out_rows[r + 1], out_cols[c]:out_cols[c + 1]]
                    frame[box] = complete[box]
                outlines = [(out_rows[row], out_rows[row + 1], out_cols[col], out_cols[col + 1])]
                outlines += [(in_rows[r], in_rows[r + 1], in_cols[c], in_cols[c + 1]) for r in rows for c in cols]
                for top, bottom, left, right in outlines:
                    frame[top:top + 2, left:right] = highlight
                    frame[bottom - 2:bottom, left:right] = highlight
                    frame[top:bottom, left:left + 2] = highlight
                    frame[top:bottom, right - 2:right] = highlight
                window = padded[np.ix_(rows, cols)]
                products = window * kernel
                terms = " + ".join(f"{_fmt(x, d)}\u00d7{_weight(w)}"
                                   for x, w in zip(window.ravel(), kernel.ravel()))
                if len(terms) > 120:
                    terms = " + ".join(_fmt(p, d) for p in products.ravel())
                if len(terms) > 120:
                    terms = f"the sum of {products.size} products"
                caption.set_text(f"output ({row}, {col}) = {terms} = {_fmt(products.sum(), d)}")
                caption_fig.canvas.draw()
                top = np.asarray(caption_fig.canvas.buffer_rgba())[..., :3]
                frames.append(np.vstack([top[:, : frame.shape[1]], frame]))
        return frames

    @classmethod
    def example(cls):
        """An 8x8 crop of the "camera" photo (values 0-255, a bright vertical bar) with Sobel x."""
        from ..data import load_photo

        photo = load_photo("camera", gray=True)
        crop = np.round(photo[220:228, 300:308] * 255)
        return cls(crop, kernel="Sobel x", padding="same",
                   title="Sobel x on an 8x8 crop of the camera photo (values 0-255)")

    def benchmark_actions(self):
        """Each control change through to the new picture: position, stride, padding,
        dilation, preset, typed kernel."""

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

        return [move, stride, padding, dilation, preset, typed]
