"""Putting computed numbers into a chapter's prose.

A number in a markdown cell either is glued from the cell that computes it,
or is typed in the markdown and checked by a hidden cell (tag ``remove-cell``).
This module does the gluing. It writes the same output that myst-nb's ``glue``
writes, which the book build reads, but without importing myst-nb: Colab does
not ship it, and installing it there would pull in Sphinx and reinstall
ipykernel. In Colab and JupyterLab nothing is shown.

In a markdown cell, ``{glue:text}`test_accuracy:.1%``` then shows the value.
"""

import IPython.core.formatters
import numpy as np
from IPython.display import display

__all__ = ["glue"]

# The MIME prefix under which myst-nb (and papermill/scrapbook) look for glued values.
_GLUE_PREFIX = "application/papermill.record/"


def glue(name, value):
    """Record ``value`` under ``name`` for the book's ``{glue:...}`` roles.

    Parameters
    ----------
    name : str
        The key the markdown refers to, e.g. ``"test_accuracy"``.
    value : object
        What to show; numbers are stored as their ``repr`` so that format
        specifications such as ``:.1%`` work (numpy scalars become Python
        numbers first: myst-nb cannot format ``np.float64(0.99)``).

    Raises
    ------
    TypeError
        If ``name`` is not a non-empty string.

    Examples
    --------
    >>> glue("test_accuracy", 0.9912)  # doctest: +SKIP
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if isinstance(value, np.generic):
        value = value.item()
    bundle, metadata = IPython.core.formatters.format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": _GLUE_PREFIX}
    display({_GLUE_PREFIX + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)
