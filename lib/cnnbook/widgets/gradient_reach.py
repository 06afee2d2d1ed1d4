"""The gradient-reach widget of chapter 5 ("The gradient of convolution").

Pick one output cell ``O_rc`` of a small convolution: the widget marks the
input pixels its gradient ``dL/dO_rc`` flows back to (each times one filter
weight) and the filter weights it updates (each times one input pixel). In
the second mode, pick an input pixel instead and see which output cells send
gradient to it and through which weights: the rotated filter of the
lecture's "full convolution" appears.

Controls: mode, the chosen cell (row, column), input size, kernel size,
stride, padding, and the values of ``dL/dO`` (typed). Grids are HTML tables
(symbols and values); all index bookkeeping is precomputed when the structure
changes, so moving the chosen cell only joins strings. The HTML book shows the
same widget in JavaScript (``js/gradient_reach.js``), both modes included,
computed in the page.
"""

import html

import numpy as np

from .. import _checks
from ..conv import output_size, pad_amounts
from ..grad import conv2d_backward
from ._base import BookWidget, InputError, _json_for_script, _script, _shown_value
from .sliding_kernel import MAX_VALUE, _parse_grid

__all__ = ["GradientReach", "INPUT_MODE", "OUTPUT_MODE"]

OUTPUT_MODE = "output cell: where its gradient goes"
INPUT_MODE = "input pixel: which gradients arrive"
_PADDING_OPTIONS = [("valid", "valid"), ("same", "same"), ("full", "full"), ("1", 1)]
_HOT = "#ffb366"
_WARM = "#ffe0c2"
_SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _name(letter, row, col):
    """``X₁₂`` for 0-based (0, 1): the slides' 1-based names."""
    return f"{letter}{row + 1}{col + 1}".translate(_SUBSCRIPTS)


def _fmt(value):
    value = float(value)
    if value == int(value) and abs(value) < 1e9:
        return str(int(value))
    return f"{value:.3g}"


def _parse_values(text, shape):
    """Read a grid of numbers typed as text, e.g. ``"1 2; 3 4"``.

    Chapter 5 ("The gradient of convolution") uses it for the ``dL/dO`` box
    of :class:`GradientReach`. It reads the text as chapter 1's kernel box
    does (:func:`cnnbook.widgets.sliding_kernel.parse_kernel`: rows separated
    by ``;`` or new lines, numbers by spaces or commas) and checks the shape.

    Parameters
    ----------
    text : str
        The typed values.
    shape : (int, int)
        The shape the grid must have.

    Returns
    -------
    numpy.ndarray of float64, shape ``shape``

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If a value is not a number of size at most
        :data:`cnnbook.widgets.sliding_kernel.MAX_VALUE` or the grid does not
        have ``shape`` (the message says what was expected).

    Examples
    --------
    >>> _parse_values("1 2; 3 -4", (2, 2))
    array([[ 1.,  2.],
           [ 3., -4.]])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    values = _parse_grid(text, what="dL/dO")
    if values.shape != tuple(shape):
        raise InputError(
            f"dL/dO must be {shape[0]} rows of {shape[1]} values (the output is "
            f"{shape[0]}x{shape[1]}); got {_shown_value(text)}: {values.shape[0]} row(s) of "
            f"{values.shape[1]} value(s)"
        )
    return values


class GradientReach(BookWidget):
    """Which input pixels and filter weights one output's gradient reaches (chapter 5).

    The input is ``X = 1, 2, ..., n*n`` (row by row), the filter
    ``F = 1, 2, ..., k*k``, and ``dL/dO`` is typed by the reader (default
    ``1, 2, 3, ...``). Small integers keep every product readable.

    Parameters
    ----------
    input_size : int, default 3
        Rows and columns of the square input, 2 to 6.
    kernel_size : int, default 2
        Rows and columns of the square filter, 1 to 3.
    stride : int, default 1
        1 to 3.
    padding : {"valid", "same", "full"} or 1, default "valid"
    mode : str, default :data:`OUTPUT_MODE`
        :data:`OUTPUT_MODE` or :data:`INPUT_MODE`.
    title : str, optional
        Caption above the widget and its fallback animation.

    Raises
    ------
    ValueError
        If an argument is out of range or the filter does not fit the padded
        input (the message names the argument).

    Examples
    --------
    >>> widget = GradientReach()                  # the lecture's 3x3 input, 2x2 filter
    >>> widget.output_shape
    (2, 2)
    >>> [name for name, _ in widget.reached_inputs(0, 1)]
    ['X₁₂', 'X₁₃', 'X₂₂', 'X₂₃']
    """

    def __init__(self, input_size=3, kernel_size=2, stride=1, padding="valid", mode=OUTPUT_MODE, title=None):
        import ipywidgets as widgets

        input_size = _checks.integer(input_size, "input_size", 2, 6)
        kernel_size = _checks.integer(kernel_size, "kernel_size", 1, 3)
        stride = _checks.integer(stride, "stride", 1, 3)
        padding = _checks.choice(padding, "padding", tuple(value for _, value in _PADDING_OPTIONS))
        mode = _checks.choice(mode, "mode", (OUTPUT_MODE, INPUT_MODE))
        self._title = title
        self._gradient = None
        self._mode, self._chosen_cell = mode, (0, 0)
        self._apply_structure(input_size, kernel_size, stride, padding)

        wide = {"description_width": "initial"}
        self.mode_buttons = widgets.ToggleButtons(
            options=[OUTPUT_MODE, INPUT_MODE], value=mode, style={"button_width": "260px"}
        )
        self.input_slider = widgets.IntSlider(
            value=self._n, min=2, max=6, description="input size", continuous_update=False, style=wide
        )
        self.kernel_slider = widgets.IntSlider(
            value=self._k, min=1, max=3, description="kernel size", continuous_update=False, style=wide
        )
        self.stride_slider = widgets.IntSlider(
            value=self._stride, min=1, max=3, description="stride", continuous_update=False, style=wide
        )
        self.padding_dropdown = widgets.Dropdown(
            options=_PADDING_OPTIONS,
            value=self._padding,
            description="padding",
            style=wide,
            layout=widgets.Layout(width="170px"),
        )
        self.row_slider = widgets.IntSlider(
            value=1, min=1, max=self._grid_shape(mode)[0], description="row", style=wide
        )
        self.col_slider = widgets.IntSlider(
            value=1, min=1, max=self._grid_shape(mode)[1], description="column", style=wide
        )
        self.gradient_text = widgets.Text(
            value=self._gradient_text(),
            description="dL/dO values",
            continuous_update=False,
            style=wide,
            layout=widgets.Layout(width="420px"),
        )
        self.grids_html = widgets.HTML(value="")
        self.explain_html = widgets.HTML(value="")
        self.totals_html = widgets.HTML(value="")
        header = widgets.HTML(value=f"<b>{html.escape(title)}</b>" if title else "")
        hint = widgets.HTML(
            value="<small>rows separated by <code>;</code>, e.g. <code>1 0; 0 2</code>"
            " (applied when you press Enter or leave the box)</small>"
        )

        self._observe(self.mode_buttons, self._on_mode)
        for control in (self.input_slider, self.kernel_slider, self.stride_slider, self.padding_dropdown):
            self._observe(control, self._on_structure)
        self._observe(self.row_slider, self._on_cell)
        self._observe(self.col_slider, self._on_cell)
        self._observe(self.gradient_text, self._on_gradient_text)

        self._assemble(
            header,
            self.mode_buttons,
            widgets.HBox([self.input_slider, self.kernel_slider, self.stride_slider, self.padding_dropdown]),
            widgets.HBox([self.row_slider, self.col_slider]),
            self.grids_html,
            self.explain_html,
            self.totals_html,
            widgets.HBox([self.gradient_text, hint]),
        )
        self._render()

    def state(self):
        """The settings shown: mode, sizes, stride, padding, the chosen cell (1-based) and dL/dO."""
        return {
            "mode": self._mode,
            "input_size": self._n,
            "kernel_size": self._k,
            "stride": self._stride,
            "padding": self._padding,
            "row": self._chosen_cell[0] + 1,
            "col": self._chosen_cell[1] + 1,
            "gradient": self.gradient,
        }

    def _controls(self):
        return {
            "mode": self.mode_buttons,
            "input_size": self.input_slider,
            "kernel_size": self.kernel_slider,
            "stride": self.stride_slider,
            "padding": self.padding_dropdown,
            "row": self.row_slider,
            "col": self.col_slider,
        }

    # ------------------------------------------------------------------
    # Structure (precomputed)
    # ------------------------------------------------------------------

    def _apply_structure(self, n, k, stride, padding):
        """Recompute the geometry; raises ValueError if the filter does not fit."""
        out = output_size(n, k, stride, padding)
        pads = pad_amounts(n, k, stride, padding)
        self._n, self._k, self._stride, self._padding = n, k, stride, padding
        self._pads = pads
        self._out = out
        rows, cols = self._grid_shape(self._mode)
        self._chosen_cell = (min(self._chosen_cell[0], rows - 1), min(self._chosen_cell[1], cols - 1))
        self._x = np.arange(1, n * n + 1, dtype=np.float64).reshape(n, n)
        self._f = np.arange(1, k * k + 1, dtype=np.float64).reshape(k, k)
        if self._gradient is None or self._gradient.shape != (out, out):
            self._gradient = np.arange(1, out * out + 1, dtype=np.float64).reshape(out, out)
        size = n + pads[0] + pads[1]
        self._padded_size = size
        # Unpadded input coordinate of each padded cell, or None for a padding zero.
        self._source = [
            [(p - pads[0], q - pads[0]) if 0 <= p - pads[0] < n and 0 <= q - pads[0] < n else None for q in range(size)]
            for p in range(size)
        ]
        # For each output cell: taps (a, b, padded p, padded q).
        self._taps = {
            (r, c): [(a, b, r * stride + a, c * stride + b) for a in range(k) for b in range(k)]
            for r in range(out)
            for c in range(out)
        }
        # For each input pixel: the (output r, c, weight a, b) pairs that reach it.
        self._arrivals = {(i, j): [] for i in range(n) for j in range(n)}
        for (r, c), taps in self._taps.items():
            for a, b, p, q in taps:
                if self._source[p][q] is not None:
                    self._arrivals[self._source[p][q]].append((r, c, a, b))
        self._update_totals()

    def _update_totals(self):
        self._dx, self._df = conv2d_backward(self._x, self._f, self._gradient, self._stride, self._padding)

    def _grid_shape(self, mode):
        return (self._out, self._out) if mode == OUTPUT_MODE else (self._n, self._n)

    def _gradient_text(self):
        return "; ".join(" ".join(_fmt(v) for v in row) for row in self._gradient)

    # ------------------------------------------------------------------
    # Read-only state (for tests and the chapter)
    # ------------------------------------------------------------------

    @property
    def output_shape(self):
        """``(H', W')`` of the convolution."""
        return (self._out, self._out)

    @property
    def gradient(self):
        """``dL/dO`` in use (a copy)."""
        return self._gradient.copy()

    @property
    def input_gradient(self):
        """``dL/dX`` for the whole ``dL/dO`` (from :func:`cnnbook.grad.conv2d_backward`)."""
        return self._dx.copy()

    @property
    def kernel_gradient(self):
        """``dL/dF`` for the whole ``dL/dO``."""
        return self._df.copy()

    @property
    def chosen(self):
        """``(mode, row, col)`` chosen now, 0-based."""
        return self._mode, self._chosen_cell[0], self._chosen_cell[1]

    def reached_inputs(self, row, col):
        """Input pixels that output ``(row, col)`` sends gradient to: ``[(name, weight name), ...]``.

        ``row`` and ``col`` are 0-based; taps on padding zeros are left out.
        """
        return [
            (_name("X", *self._source[p][q]), _name("F", a, b))
            for a, b, p, q in self._taps[(row, col)]
            if self._source[p][q] is not None
        ]

    def arrivals(self, row, col):
        """Output cells whose gradient reaches input pixel ``(row, col)``: ``[(O name, F name), ...]``."""
        return [(_name("O", r, c), _name("F", a, b)) for r, c, a, b in self._arrivals[(row, col)]]

    # ------------------------------------------------------------------
    # Rendering
    # ------------------------------------------------------------------

    _STYLE = (
        "<style>.cnnbook-gr table{border-collapse:collapse;font:12px/1.25 monospace;margin:2px 14px 2px 0}"
        ".cnnbook-gr td{min-width:3.6em;height:2.4em;padding:0 3px;text-align:center;border:1px solid #ccc}"
        ".cnnbook-gr td.pad{color:#999;background:#f4f4f4;font-style:italic}"
        f".cnnbook-gr td.hot{{background:{_HOT};font-weight:bold}}"
        f".cnnbook-gr td.warm{{background:{_WARM}}}"
        ".cnnbook-gr caption{font:12px sans-serif;text-align:left;white-space:nowrap}"
        ".cnnbook-gr .note{font-size:10px;color:#7a3b00}</style>"
    )

    @staticmethod
    def _table(css_class, caption, cells):
        rows = "".join("<tr>" + "".join(row) + "</tr>" for row in cells)
        return f'<table class="{css_class}"><caption>{caption}</caption>{rows}</table>'

    @staticmethod
    def _cell(text, css="", note=""):
        note_html = f'<br><span class="note">{note}</span>' if note else ""
        return f'<td class="{css}">{text}{note_html}</td>'

    def _render(self):
        mode, row, col = self.chosen
        if mode == OUTPUT_MODE:
            self._render_output_mode(row, col)
        else:
            self._render_input_mode(row, col)

    def _input_cells(self, marks):
        """Padded input grid; ``marks`` maps padded (p, q) -> (css, note)."""
        cells = []
        for p in range(self._padded_size):
            line = []
            for q in range(self._padded_size):
                source = self._source[p][q]
                css, note = marks.get((p, q), ("", ""))
                if source is None:
                    line.append(self._cell("0", ("pad " + css).strip(), note))
                else:
                    line.append(self._cell(f"{_name('X', *source)}<br>{_fmt(self._x[source])}", css, note))
            cells.append(line)
        return cells

    def _filter_cells(self, marks):
        return [
            [
                self._cell(f"{_name('F', a, b)}<br>{_fmt(self._f[a, b])}", *marks.get((a, b), ("", "")))
                for b in range(self._k)
            ]
            for a in range(self._k)
        ]

    def _gradient_cells(self, marks):
        return [
            [
                self._cell(
                    f"G{r + 1}{c + 1}".translate(_SUBSCRIPTS) + f"<br>{_fmt(self._gradient[r, c])}",
                    *marks.get((r, c), ("", "")),
                )
                for c in range(self._out)
            ]
            for r in range(self._out)
        ]

    def _grids(self, input_marks, filter_marks, gradient_marks):
        size = self._padded_size
        return (
            f'<div class="cnnbook-gr">{self._STYLE}<div style="display:flex;align-items:flex-start">'
            + self._table(
                "gr-input",
                f"input X, padded to {size}&times;{size} (grey: padding zeros)",
                self._input_cells(input_marks),
            )
            + self._table("gr-filter", f"filter F {self._k}&times;{self._k}", self._filter_cells(filter_marks))
            + self._table(
                "gr-gradient", f"G = dL/dO {self._out}&times;{self._out}", self._gradient_cells(gradient_marks)
            )
            + "</div></div>"
        )

    def _render_output_mode(self, row, col):
        g = self._gradient[row, col]
        g_name = f"G{row + 1}{col + 1}".translate(_SUBSCRIPTS)
        input_marks, filter_marks = {}, {}
        to_inputs, to_filter = [], []
        for a, b, p, q in self._taps[(row, col)]:
            source = self._source[p][q]
            f_name = _name("F", a, b)
            if source is None:
                input_marks[(p, q)] = ("warm", f"&times;{f_name}")
                filter_marks[(a, b)] = ("warm", "&times;0")
                to_filter.append(f"dL/d{f_name} += {g_name}&middot;0 = 0 (padding)")
                continue
            x_name = _name("X", *source)
            input_marks[(p, q)] = ("hot", f"&times;{f_name}")
            filter_marks[(a, b)] = ("hot", f"&times;{x_name}")
            to_inputs.append(
                f"dL/d{x_name} += {g_name}&middot;{f_name} = {_fmt(g)}&middot;{_fmt(self._f[a, b])}"
                f" = {_fmt(g * self._f[a, b])}"
            )
            to_filter.append(
                f"dL/d{f_name} += {g_name}&middot;{x_name} = {_fmt(g)}&middot;{_fmt(self._x[source])}"
                f" = {_fmt(g * self._x[source])}"
            )
        self.grids_html.value = self._grids(input_marks, filter_marks, {(row, col): ("hot", "chosen")})
        o_name = _name("O", row, col)
        padding_note = ""
        if len(to_inputs) < self._k * self._k:
            padding_note = (
                f" {self._k * self._k - len(to_inputs)} of the window's {self._k * self._k} cells are "
                f"padding zeros: their share of the gradient is dropped."
            )
        self.explain_html.value = (
            f"<div style='font:13px sans-serif'><b>{o_name}</b> read a {self._k}&times;{self._k} window of the "
            f"padded input, so its gradient {g_name} = dL/d{o_name} = {_fmt(g)} goes to "
            f"<b>{len(to_inputs)} input pixel(s)</b> (one filter weight each) and to "
            f"<b>all {self._k * self._k} filter weights</b> (one input pixel each).{padding_note}"
            f"<div style='display:flex;gap:28px;font:12px monospace'><div>{'<br>'.join(to_inputs) or '(none)'}"
            f"</div><div>{'<br>'.join(to_filter)}</div></div></div>"
        )
        touched = {self._source[p][q] for _, _, p, q in self._taps[(row, col)] if self._source[p][q] is not None}
        self._render_totals(touched, {(a, b) for a, b, _, _ in self._taps[(row, col)]})

    def _render_input_mode(self, row, col):
        x_name = _name("X", row, col)
        p, q = row + self._pads[0], col + self._pads[0]
        arrivals = self._arrivals[(row, col)]
        gradient_marks = {(r, c): ("hot", f"&times;{_name('F', a, b)}") for r, c, a, b in arrivals}
        filter_marks = {(a, b): ("hot", f"&times;G{r + 1}{c + 1}".translate(_SUBSCRIPTS)) for r, c, a, b in arrivals}
        self.grids_html.value = self._grids({(p, q): ("hot", "chosen")}, filter_marks, gradient_marks)
        terms = " + ".join(
            f"G{r + 1}{c + 1}".translate(_SUBSCRIPTS) + f"&middot;{_name('F', a, b)}" for r, c, a, b in arrivals
        )
        numbers = " + ".join(f"{_fmt(self._gradient[r, c])}&middot;{_fmt(self._f[a, b])}" for r, c, a, b in arrivals)
        total = sum(self._gradient[r, c] * self._f[a, b] for r, c, a, b in arrivals)
        if arrivals:
            sum_text = f"dL/d{x_name} = {terms}<br>= {numbers} = <b>{_fmt(total)}</b>"
            note = (
                "Read the filter names in the G grid: they run backwards (bottom-right weight at the "
                "top-left output), which is why dL/dX is a correlation with the filter rotated by 180&deg;."
            )
        else:
            sum_text = f"dL/d{x_name} = 0"
            note = "No window of this stride ever reads this pixel, so its gradient is zero."
        self.explain_html.value = (
            f"<div style='font:13px sans-serif'><b>{x_name}</b> was read by <b>{len(arrivals)} output cell(s)</b>; "
            f"each sends back its gradient times the weight it used on {x_name}. {note}"
            f"<div style='font:12px monospace'>{sum_text}</div></div>"
        )
        self._render_totals({(row, col)}, {(a, b) for _, _, a, b in arrivals})

    def _render_totals(self, input_cells, filter_cells):
        dx_cells = [
            [self._cell(_fmt(self._dx[i, j]), "warm" if (i, j) in input_cells else "") for j in range(self._n)]
            for i in range(self._n)
        ]
        df_cells = [
            [self._cell(_fmt(self._df[a, b]), "warm" if (a, b) in filter_cells else "") for b in range(self._k)]
            for a in range(self._k)
        ]
        self.totals_html.value = (
            f'<div class="cnnbook-gr">{self._STYLE}<div style="font:12px sans-serif;margin-top:6px">'
            "Totals over all output cells (cnnbook.grad.conv2d_backward); the cells above touch the shaded "
            "entries:</div><div style='display:flex;align-items:flex-start'>"
            + self._table("gr-dx", "dL/dX (full correlation of G with the rotated F)", dx_cells)
            + self._table("gr-df", "dL/dF (correlation of X with G)", df_cells)
            + "</div></div>"
        )

    # ------------------------------------------------------------------
    # Handlers (guarded by BookWidget._observe)
    # ------------------------------------------------------------------

    def _fit_cell_sliders(self):
        rows, cols = self._grid_shape(self._mode)
        self._chosen_cell = (min(self._chosen_cell[0], rows - 1), min(self._chosen_cell[1], cols - 1))
        row, col = self._chosen_cell
        with self._quietly():
            for slider, top, value in ((self.row_slider, rows, row), (self.col_slider, cols, col)):
                if slider.value > top:
                    slider.value = top
                slider.max = top
                slider.value = value + 1

    def _on_mode(self, change):
        self._mode = _checks.choice(change["new"], "mode", (OUTPUT_MODE, INPUT_MODE))
        self._fit_cell_sliders()
        self._render()

    def _on_cell(self, change):
        rows, cols = self._grid_shape(self._mode)
        row = _checks.integer(self.row_slider.value, "row", 1, rows)
        col = _checks.integer(self.col_slider.value, "column", 1, cols)
        self._chosen_cell = (row - 1, col - 1)
        self._render()

    def _on_structure(self, change):
        n = _checks.integer(self.input_slider.value, "input size", 2, 6)
        k = _checks.integer(self.kernel_slider.value, "kernel size", 1, 3)
        stride = _checks.integer(self.stride_slider.value, "stride", 1, 3)
        padding = _checks.choice(self.padding_dropdown.value, "padding", tuple(v for _, v in _PADDING_OPTIONS))
        try:
            self._apply_structure(n, k, stride, padding)
        except ValueError as error:
            raise InputError(f"{error}. The last valid setting is still shown.") from None
        self._set_quietly(self.gradient_text, self._gradient_text())
        self._fit_cell_sliders()
        self._render()

    def _on_gradient_text(self, change):
        try:
            values = _parse_values(change["new"], (self._out, self._out))
        except (ValueError, TypeError) as error:
            raise InputError(f"{error}. Still using the last valid dL/dO.") from None
        self._gradient = values
        self._update_totals()
        self._render()

    # ------------------------------------------------------------------
    # BookWidget interface
    # ------------------------------------------------------------------

    def _build_standin(self):
        """The widget in HTML+JavaScript (``js/gradient_reach.js``): both modes, computed in the page."""
        data = {
            "n": self._n,
            "k": self._k,
            "stride": self._stride,
            "padding": self._padding,
            "mode": self._mode,
            "modes": [OUTPUT_MODE, INPUT_MODE],
            "row": self._chosen_cell[0],
            "col": self._chosen_cell[1],
            "gradient": self._gradient.tolist(),
            "paddingOptions": [v for _, v in _PADDING_OPTIONS],
            "maxValue": MAX_VALUE,
        }
        title = f"<p><b>{html.escape(self._title)}</b></p>" if self._title else ""
        return (
            f'<div class="cnnbook-gr-page" id="gr-CNNBOOKID">{title}{self._STYLE}'
            "<noscript><p>This interactive view needs JavaScript.</p></noscript></div>"
            f'<script type="application/json" id="gr-CNNBOOKID-data">{_json_for_script(data)}</script>'
            f'<script>{_script("gradient_reach")}\ncnnbookGradientReach("gr-CNNBOOKID");</script>'
        )

    @classmethod
    def example(cls):
        """The lecture's case: a 3x3 input, a 2x2 filter, no padding, stride 1."""
        return cls(3, 2, 1, "valid", title="The lecture's 3x3 input and 2x2 filter: where each gradient goes")

    def benchmark_actions(self):
        """Each control change through to the new picture: cell, mode, padding, stride, typed dL/dO."""

        def move():
            self.col_slider.value = self.col_slider.value % self.col_slider.max + 1

        def mode():
            self.mode_buttons.value = INPUT_MODE if self.mode_buttons.value == OUTPUT_MODE else OUTPUT_MODE

        def padding():
            self.padding_dropdown.value = "full" if self.padding_dropdown.value != "full" else "valid"

        def stride():
            self.stride_slider.value = 2 if self.stride_slider.value == 1 else 1

        def typed():
            out = self._out
            shift = 1 + int(self._gradient[0, 0]) % 3  # a different grid on every call
            self.gradient_text.value = "; ".join(
                " ".join(str((r + c + shift) % 4) for c in range(out)) for r in range(out)
            )

        return [move, mode, padding, stride, typed]
