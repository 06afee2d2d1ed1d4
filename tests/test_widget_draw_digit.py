"""The draw-a-digit widget's Python side: the weights it hands to the page, its stand-in and bad input (chapter 3).

Its drawing and arithmetic run in JavaScript; tests/browser/test_draw_digit.py drives them in Chromium.
"""

import re

import pytest

from cnnbook.draw import _export_weights, digit_cnn
from cnnbook.env import seed_everything
from cnnbook.models import small_cnn
from cnnbook.widgets._base import build_standins
from cnnbook.widgets.draw_digit import DrawDigit


@pytest.fixture(scope="module")
def widget():
    return DrawDigit.example()


def test_the_page_gets_the_weights_and_the_module(widget):
    seed_everything(0)  # the example's network, seeded the same way
    assert widget.weights == _export_weights(digit_cnn())
    assert widget.weights["layers"][0]["shape"] == [5, 5, 1, 8]
    assert "export default { render }" in widget._esm and "cnnbookFrame" in widget._esm


def test_standin_is_self_contained_and_under_150_kb(widget):
    html = widget.standin_html()
    assert len(html.encode("utf-8")) < 150_000
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    assert html == DrawDigit.example().standin_html()  # ids come from the content


def test_display_carries_the_live_view_and_the_standin(widget):
    build_standins(True)
    try:
        data, _ = widget._repr_mimebundle_()
    finally:
        build_standins(None)
    assert "application/vnd.jupyter.widget-view+json" in data
    assert 'data-widget="DrawDigit"' in data["text/html"] and "cnnbookAnywidget" in data["text/html"]


def test_refuses_a_model_that_is_not_the_digit_cnn():
    with pytest.raises(ValueError, match="digit_cnn"):
        DrawDigit(small_cnn())
    with pytest.raises(TypeError, match="model"):
        DrawDigit([1, 2, 3])
