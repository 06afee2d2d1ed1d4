"""The gradient-reach widget of chapter 5 ("The gradient of convolution").

Pick one output cell ``O_rc`` of a small convolution: the widget marks the
input pixels its gradient ``dL/dO_rc`` flows back to (each times one filter
weight) and the filter weights it updates (each times one input pixel). In
the second mode, pick an input pixel instead and see which output cells send
gradient to it and through which weights: the rotated filter of the
lecture's "full convolution" appears.

Controls: mode, the chosen cell (row, column), input size, kernel size,
stride, padding, and the values of ``dL/dO`` (typed). The front end is one
anywidget ES module, ``js/gradient_reach.js``, which draws the grids (HTML
tables of symbols and values) and does the bookkeeping in the browser, live
and in the HTML book alike. This class holds the state as traitlets, checks
every change, and computes the same index bookkeeping and the totals
(:func:`cnnbook.grad.conv2d_backward`) in Python, which the tests compare with
what the module shows.
"""

import numpy as np
import traitlets

from .. import _checks
from ..conv import output_size, pad_amounts
from ..grad import conv2d_backward
from ._anywidget import BookAnyWidget
from ._base import InputError, _shown_value
from .sliding_kernel import MAX_VALUE

__all__ = ["GradientReach", "INPUT_MODE", "OUTPUT_MODE"]

OUTPUT_MODE = "output cell: where its gradient goes"
INPUT_MODE = "input pixel: which gradients arrive"
_PADDING_OPTIONS = ("valid", "same", "full", 1)
_SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _name(letter, row, col):
    """``X₁₂`` for 0-based (0, 1): the slides' 1-based names."""
    return f"{letter}{row + 1}{col + 1}".translate(_SUBSCRIPTS)


class GradientReach(BookAnyWidget):
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
        Caption above the widget.

    Raises
    ------
    ValueError
        If an argument is out of range or the filter does not fit the padded
        input (the message names the argument).

    Notes
    -----
    The state is in synced traitlets, which the page's controls set:
    ``mode``, ``input_size``, ``kernel_size``, ``stride``, ``padding``, the
    chosen ``row`` and ``col`` (0-based) and ``gradient`` (``dL/dO`` as a list
    of rows). Setting one from code is checked like a control: a refused value
    shows the error (``error``) and the state stays.

    Examples
    --------
    >>> widget = GradientReach()                  # the lecture's 3x3 input, 2x2 filter
    >>> widget.output_shape
    (2, 2)
    >>> [name for name, _ in widget.reached_inputs(0, 1)]
    ['X₁₂', 'X₁₃', 'X₂₂', 'X₂₃']
    """

    _module = "gradient_reach"
    _state_traits = ("mode", "input_size", "kernel_size", "stride", "padding", "row", "col", "gradient")

    config = traitlets.Dict().tag(sync=True)
    mode = traitlets.Unicode(OUTPUT_MODE).tag(sync=True)
    input_size = traitlets.Int(3).tag(sync=True)
    kernel_size = traitlets.Int(2).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    padding = traitlets.Union([traitlets.Unicode(), traitlets.Int()], default_value="valid").tag(sync=True)
    row = traitlets.Int(0).tag(sync=True)
    col = traitlets.Int(0).tag(sync=True)
    gradient = traitlets.List().tag(sync=True)

    def __init__(self, input_size=3, kernel_size=2, stride=1, padding="valid", mode=OUTPUT_MODE, title=None):
        input_size = _checks.integer(input_size, "input_size", 2, 6)
        kernel_size = _checks.integer(kernel_size, "kernel_size", 1, 3)
        stride = _checks.integer(stride, "stride", 1, 3)
        padding = _checks.choice(padding, "padding", _PADDING_OPTIONS)
        mode = _checks.choice(mode, "mode", (OUTPUT_MODE, INPUT_MODE))
        if title is not None:
            title = _checks.text(title, "title")
        self._apply_structure(input_size, kernel_size, stride, padding)
        config = {
            "modes": [OUTPUT_MODE, INPUT_MODE],
            "paddingOptions": list(_PADDING_OPTIONS),
            "maxValue": MAX_VALUE,
            "title": title or "",
        }
        super().__init__(
            config=config,
            mode=mode,
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            gradient=self._default_gradient(self._out),
        )
        self._update_totals()

    # ------------------------------------------------------------------
    # The state and its checks
    # ------------------------------------------------------------------

    @staticmethod
    def _default_gradient(out):
        return np.arange(1, out * out + 1).reshape(out, out).tolist()

    def _validate(self, state):
        held = self._held
        n = _checks.integer(state["input_size"], "input size", 2, 6)
        k = _checks.integer(state["kernel_size"], "kernel size", 1, 3)
        stride = _checks.integer(state["stride"], "stride", 1, 3)
        padding = _checks.choice(state["padding"], "padding", _PADDING_OPTIONS)
        mode = _checks.choice(state["mode"], "mode", (OUTPUT_MODE, INPUT_MODE))
        structure = (n, k, stride, padding)
        changed = structure != (held["input_size"], held["kernel_size"], held["stride"], held["padding"])
        if changed:
            try:
                self._apply_structure(n, k, stride, padding)
            except ValueError as error:
                raise InputError(f"{error}. The last valid setting is still shown.") from None
        try:
            gradient = self._checked_gradient(state["gradient"], changed)
            top = self._out if mode == OUTPUT_MODE else n
            if changed or mode != held["mode"]:
                row, col = (min(_checks.integer(state[key], key, 0), top - 1) for key in ("row", "col"))
            else:
                row = _checks.integer(state["row"], "row", 0, top - 1)
                col = _checks.integer(state["col"], "column", 0, top - 1)
        except (ValueError, TypeError):
            if changed:  # back to the geometry held
                self._apply_structure(held["input_size"], held["kernel_size"], held["stride"], held["padding"])
            raise
        checked = dict(mode=mode, input_size=n, kernel_size=k, stride=stride, padding=padding, row=row, col=col)
        return {**checked, "gradient": gradient}

    def _checked_gradient(self, gradient, structure_changed):
        """dL/dO as a list of rows; the default ``1, 2, 3, ...`` when a new structure changed the output's shape."""
        values = np.asarray(gradient, dtype=object)
        if structure_changed and values.shape != (self._out, self._out):
            return self._default_gradient(self._out)
        if values.shape != (self._out, self._out) or not all(
            _checks.is_int(v) or isinstance(v, float) for v in values.flat
        ):
            raise InputError(f"dL/dO must be {self._out} rows of {self._out} numbers; got {_shown_value(gradient)}")
        values = values.astype(np.float64)
        if not np.all(np.isfinite(values)) or np.abs(values).max() > MAX_VALUE:
            raise InputError(f"dL/dO values must lie between -{MAX_VALUE:g} and {MAX_VALUE:g}")
        return gradient

    def _on_state_change(self, change):
        super()._on_state_change(change)
        self._update_totals()

    def _apply_structure(self, n, k, stride, padding):
        """Recompute the geometry; raises ValueError if the filter does not fit."""
        out = output_size(n, k, stride, padding)
        pads = pad_amounts(n, k, stride, padding)
        self._n, self._k, self._out, self._pads = n, k, out, pads
        size = n + pads[0] + pads[1]
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

    def _update_totals(self):
        held = self._held
        n, k = held["input_size"], held["kernel_size"]
        x = np.arange(1, n * n + 1, dtype=np.float64).reshape(n, n)
        f = np.arange(1, k * k + 1, dtype=np.float64).reshape(k, k)
        self._dx, self._df = conv2d_backward(x, f, self.gradient_array, held["stride"], held["padding"])

    # ------------------------------------------------------------------
    # Read-only state (for tests and the chapter)
    # ------------------------------------------------------------------

    @property
    def output_shape(self):
        """``(H', W')`` of the convolution."""
        return (self._out, self._out)

    @property
    def gradient_array(self):
        """``dL/dO`` in use, as a float array."""
        return np.asarray(self._held["gradient"], dtype=np.float64)

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
        return self._held["mode"], self._held["row"], self._held["col"]

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

    @classmethod
    def example(cls):
        """The lecture's case: a 3x3 input, a 2x2 filter, no padding, stride 1."""
        return cls(3, 2, 1, "valid", title="The lecture's 3x3 input and 2x2 filter: where each gradient goes")

    def benchmark_actions(self):
        """Each setting through Python's checks: cell, mode, padding, stride, typed dL/dO."""

        def move():
            self.col = (self.col + 1) % (self._out if self.mode == OUTPUT_MODE else self._n)

        def mode():
            self.mode = INPUT_MODE if self.mode == OUTPUT_MODE else OUTPUT_MODE

        def padding():
            self.padding = "full" if self.padding != "full" else "valid"

        def stride():
            self.stride = 2 if self.stride == 1 else 1

        def typed():
            shift = 1 + int(self.gradient[0][0]) % 3  # a different grid on every call
            self.gradient = [[(r + c + shift) % 4 for c in range(self._out)] for r in range(self._out)]

        return [move, mode, padding, stride, typed]
