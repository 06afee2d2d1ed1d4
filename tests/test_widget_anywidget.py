"""The anywidget bridge (cnnbook.widgets._anywidget), in the versions at hand and in the Colab mirror's.

The Colab mirror (``make test-colab``) runs this file with Colab's anywidget
0.9.21 and ipywidgets 7.7.1; the development environment with ipywidgets 8.
Checked here: the ES module each widget sends (the book's prelude, then its
own file; nothing fetched), the model state as the comm and the embed
machinery serialise it, a change from the page going through the checks,
IPython's display (widget view and stand-in), the stand-in's content-derived
ids and binary values, and the call that switches on Colab's custom widget
manager when ``google.colab`` is loaded. Not testable without Colab itself:
that Colab's front end then renders the view (its widget manager and its
anywidget loader are Google's JavaScript).
"""

import importlib.resources
import json
import re
import sys
import types

import anywidget
import ipywidgets.embed
import pytest
import traitlets

from cnnbook.widgets import GradientReach, ParamCalculator, SlidingKernel, _anywidget, build_standins
from cnnbook.widgets._anywidget import BookAnyWidget

WIDGETS = {
    "sliding_kernel": lambda: SlidingKernel([[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel="box blur", padding=1),
    "gradient_reach": GradientReach,
    "param_calculator": ParamCalculator,
}


def js(name):
    return importlib.resources.files("cnnbook.widgets").joinpath("js", f"{name}.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_each_widget_sends_the_prelude_and_its_own_module(name):
    widget = WIDGETS[name]()
    assert isinstance(widget, anywidget.AnyWidget)
    assert type(widget)._module == name
    assert widget._esm.endswith(js(name)) and "function cnnbookFrame(" in widget._esm
    assert "CNNBOOK_ERROR_STYLE" not in widget._esm  # the error style is filled in
    assert re.search(r"^export default \{ render \};$", widget._esm, re.M)
    # Nothing is fetched: no import from elsewhere, no URL.
    assert not re.search(r"^\s*import\s|https?://|import\(", widget._esm, re.M)


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_model_state_serialises_as_the_comm_and_the_embed_send_it(name):
    widget = WIDGETS[name]()
    state = json.loads(json.dumps(widget.get_state(), allow_nan=False))  # plain JSON, no buffers
    assert state["_model_name"] == "AnyModel" and state["_view_name"] == "AnyView"
    assert state["_anywidget_id"] == f"{type(widget).__module__}.{type(widget).__name__}"
    for key in widget._state_traits:
        assert state[key] == getattr(widget, key)
    embedded = ipywidgets.embed.embed_data(views=[widget])["manager_state"]["state"]
    assert embedded[widget.model_id]["model_name"] == "AnyModel"


def test_a_change_from_the_page_is_checked_and_a_refusal_goes_back():
    widget = GradientReach()
    widget.set_state({"stride": 2, "padding": "full"})  # as the comm applies a message from the page
    assert widget.error == "" and widget.output_shape == (2, 2)
    widget.set_state({"kernel_size": 9})
    assert "kernel size must be an int from 1 to 3; got 9" in widget.error
    assert widget.kernel_size == 2 and widget.get_state(key=["kernel_size"]) == {"kernel_size": 2}
    widget.set_state({"row": 1})
    assert widget.error == "" and widget.chosen[1] == 1


def test_ipython_displays_the_live_view_and_the_standin():
    from IPython.core.formatters import DisplayFormatter

    widget = ParamCalculator()
    build_standins(True)
    try:
        data, metadata = DisplayFormatter().format(widget)
    finally:
        build_standins(None)
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
    assert data["text/html"].startswith(
        '<div class="cnnbook-fallback cnnbook-anywidget" data-widget="ParamCalculator">'
    )
    assert data["text/plain"].startswith("ParamCalculator")


def test_standin_ids_come_from_the_content_and_binary_values_travel_as_base64():
    class Probe(BookAnyWidget):
        _module = "gradient_reach"
        blob = traitlets.Bytes(b"\x00\x01\xff").tag(sync=True)

    first, second = Probe(), Probe()
    assert first.standin_html() == second.standin_html()
    ids = set(re.findall(r'id="([^"]+)"', first.standin_html()))
    assert len(ids) == 2 and all(re.fullmatch(r"cnnbook-aw-[0-9a-f]{12}(-data)?", i) for i in ids)
    payload = json.loads(
        re.search(r'<script type="application/json"[^>]*>(.*?)</script>', first.standin_html()).group(1)
    )
    assert payload["state"]["blob"] == {"$base64": "AAH/"}
    assert payload["esm"] == Probe._esm and payload["state"]["error"] == ""
    assert not set(payload["state"]) & {"_esm", "_model_name", "layout", "_dom_classes"}  # not anywidget's own
    second.blob = b"\x02"
    assert not ids & set(re.findall(r'id="([^"]+)"', second.standin_html()))


@pytest.fixture
def fake_colab(monkeypatch):
    """``google.colab.output`` as Colab loads it, recording calls to enable_custom_widget_manager."""
    calls = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enable")
    output._widgets = types.SimpleNamespace(_installed_url=None)  # what anywidget reads for its display metadata
    colab = types.ModuleType("google.colab")
    colab.output = output
    google = types.ModuleType("google")
    google.colab = colab
    for name, module in (("google", google), ("google.colab", colab), ("google.colab.output", output)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setitem(_anywidget._COLAB, "enabled", False)
    anywidget._util.enable_custom_widget_manager_once.cache_clear()
    yield calls
    anywidget._util.enable_custom_widget_manager_once.cache_clear()


def test_colab_custom_widget_manager_is_enabled_once(fake_colab):
    assert _anywidget._enable_colab()
    first = len(fake_colab)
    assert first >= 1
    GradientReach()
    ParamCalculator()
    data, _ = ParamCalculator()._repr_mimebundle_()
    assert len(fake_colab) <= first + 1  # anywidget's own once-per-kernel call may add one, no more
    assert "application/vnd.jupyter.widget-view+json" in data


def test_without_colab_nothing_is_called(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not _anywidget._enable_colab()
