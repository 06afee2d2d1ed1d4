"""Putting computed numbers into a chapter's prose and tables.

A number in a markdown cell either is glued from the cell that computes it,
or is typed in the markdown and checked by a hidden cell (tag ``remove-cell``).
This module does the gluing (:func:`glue`), and renders computed results as
tables (:func:`table`), so that no chapter builds Markdown from strings. It writes the same output that myst-nb's ``glue``
writes, which the book build reads, but without importing myst-nb: Colab does
not ship it, and installing it there would pull in Sphinx and reinstall
ipykernel. In Colab and JupyterLab nothing is shown.

In a markdown cell, ``{glue:text}`test_accuracy:.1%``` then shows the value.
"""

import numbers

import IPython.core.formatters
import numpy as np
from IPython.display import Markdown, display

from . import _checks

__all__ = ["glue", "table"]

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


def _is_number(value):
    return isinstance(value, (numbers.Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _cell(value, spec):
    text = str(value) if spec is None else format(value, spec)
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows, columns=None, formats=None):
    """Rows of results as a Markdown table: Jupyter and Colab show it, the book renders it.

    Parameters
    ----------
    rows : list of dict
        One dict per row, keyed by column header.
    columns : sequence of str, optional
        The keys to show, in order (default: the keys of the first row).
    formats : dict of str -> str, optional
        A format specification per column, as for :func:`format`, e.g.
        ``{"test accuracy": ".1%", "parameters": ","}``; other values are
        shown with ``str``. Columns whose values are all numbers are
        right-aligned.

    Returns
    -------
    IPython.display.Markdown

    Raises
    ------
    TypeError
        If ``rows`` is not a non-empty list of dicts, or ``formats`` not a dict of strings.
    ValueError
        If a column is missing from a row, or ``formats`` names a column not shown.

    Examples
    --------
    >>> rows = [{"model": "CNN", "parameters": 26698, "accuracy": 0.9617}]
    >>> print(table(rows, formats={"parameters": ",", "accuracy": ".1%"}).data)
    | model | parameters | accuracy |
    |---|---:|---:|
    | CNN | 26,698 | 96.2% |
    """
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"rows must be a non-empty list of dicts; got {type(rows).__name__} {rows!r:.60}")
    columns = list(rows[0]) if columns is None else [_checks.text(column, "columns[i]") for column in columns]
    missing = [key for key in columns if any(key not in row for row in rows)]
    if missing:
        raise ValueError(f"columns {missing} are not in every row; the first row has {list(rows[0])}")
    formats = {} if formats is None else formats
    if not isinstance(formats, dict) or not all(isinstance(spec, str) for spec in formats.values()):
        raise TypeError(f"formats must be a dict of column -> format spec (str); got {formats!r}")
    unknown = sorted(set(formats) - set(columns))
    if unknown:
        raise ValueError(f"formats names columns that are not shown: {unknown}; columns are {columns}")
    right = [all(_is_number(row[key]) for row in rows) for key in columns]
    lines = [
        "| " + " | ".join(_cell(key, None) for key in columns) + " |",
        "|" + "".join("---:|" if r else "---|" for r in right),
    ]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row[key], formats.get(key)) for key in columns) + " |")
    return Markdown("\n".join(lines))
