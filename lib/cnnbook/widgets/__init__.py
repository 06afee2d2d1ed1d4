"""The interactive widgets of the book (core ipywidgets only).

Every widget subclasses :class:`cnnbook.widgets.base.BookWidget`; the
benchmark (``make bench``) times each class listed in ``ALL_WIDGETS``.
"""
from .base import BookWidget
from .param_calculator import ParamCalculator

#: Every widget class of the book, by name (the benchmark times each one).
ALL_WIDGETS = {
    "param_calculator": ParamCalculator,
}

__all__ = ["BookWidget", "ALL_WIDGETS", "ParamCalculator"]
