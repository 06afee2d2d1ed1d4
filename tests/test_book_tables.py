"""cnnbook.book.table: computed results as a Markdown table, one home for every chapter's tables."""

import numpy as np
import pytest
from IPython.display import Markdown

from cnnbook.book import table


def test_table_formats_aligns_and_escapes():
    rows = [
        {"method": "pixels | logistic", "parameters": 7850, "accuracy": np.float64(0.8943), "year": 2012},
        {"method": "CNN", "parameters": np.int64(26698), "accuracy": 0.9617, "year": 1998},
    ]
    shown = table(rows, formats={"parameters": ",", "accuracy": ".1%"})
    assert isinstance(shown, Markdown)
    assert shown.data.splitlines() == [
        "| method | parameters | accuracy | year |",
        "|---|---:|---:|---:|",
        "| pixels \\| logistic | 7,850 | 89.4% | 2012 |",
        "| CNN | 26,698 | 96.2% | 1998 |",
    ]


def test_table_columns_choose_and_order():
    rows = [{"a": 1, "b": "x", "c": True}]
    assert table(rows, columns=["c", "a"]).data.splitlines() == ["| c | a |", "|---|---:|", "| True | 1 |"]


def test_mixed_columns_stay_left_aligned():
    rows = [{"layers": 8}, {"layers": "-"}]
    assert table(rows).data.splitlines()[1] == "|---|"


@pytest.mark.parametrize(
    "rows, kwargs, error, message",
    [
        ([], {}, TypeError, r"rows must be a non-empty list of dicts"),
        ("| a |", {}, TypeError, r"rows must be a non-empty list of dicts"),
        ([{"a": 1}, [1]], {}, TypeError, r"rows must be a non-empty list of dicts"),
        ([{"a": 1}, {"b": 2}], {}, ValueError, r"columns \['a'\] are not in every row"),
        ([{"a": 1}], {"columns": ["b"]}, ValueError, r"columns \['b'\] are not in every row"),
        ([{"a": 1}], {"columns": [3]}, TypeError, r"columns\[i\] must be a non-empty str"),
        ([{"a": 1}], {"formats": {"a": 2}}, TypeError, r"formats must be a dict of column -> format spec"),
        ([{"a": 1}], {"formats": {"b": ".1f"}}, ValueError, r"formats names columns that are not shown: \['b'\]"),
    ],
)
def test_bad_tables_are_refused_with_the_reason(rows, kwargs, error, message):
    with pytest.raises(error, match=message):
        table(rows, **kwargs)
