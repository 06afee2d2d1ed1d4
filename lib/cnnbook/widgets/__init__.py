"""The interactive widgets of the book (core ipywidgets only).

Every widget subclasses :class:`cnnbook.widgets.base.BookWidget`; the
benchmark (``make bench``) times each class listed in ``ALL_WIDGETS``.
"""
from .base import BookWidget

ALL_WIDGETS = {}

__all__ = ["BookWidget", "ALL_WIDGETS"]
