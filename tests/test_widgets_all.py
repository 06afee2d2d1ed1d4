"""Every widget of ALL_WIDGETS: one display test, and a property test that tries to break it.

The property test (hypothesis) sets random sequences of control values, the
good ones mixed with NaN, infinities, 1e308, empty and huge values, negative
numbers and wrong types, as a reader (or a notebook cell) could. After every
step no exception may have escaped a handler, and each control shows the
setting the widget holds. A refused value leaves an error message that names
it; putting every control back to its first value clears the message.
"""

import math
import re

import numpy as np
import pytest
import traitlets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnbook import models
from cnnbook.env import seed_everything
from cnnbook.widgets import (
    ALL_WIDGETS,
    AdversarialExplorer,
    AugmentationExplorer,
    FeatureMapViewer,
    GradientReach,
    NearestNeighbourExplorer,
    ParamCalculator,
    SlidingKernel,
)
from cnnbook.widgets._anywidget import BookAnyWidget
from cnnbook.widgets._base import STANDIN_ENV, BookWidget, build_standins, projector_scale, set_projector_scale
from cnnbook.widgets.gradient_reach import INPUT_MODE, OUTPUT_MODE
from cnnbook.widgets.param_calculator import PRESETS
from cnnbook.widgets.sliding_kernel import KERNEL_PRESETS

RNG = np.random.default_rng(0)


def _tiny_cnn():
    seed_everything(0)
    return models.small_cnn(filters=(2, 3), dense=0)


def _neighbours():
    train = RNG.integers(0, 256, size=(30, 8, 8), dtype=np.uint8)
    test = RNG.integers(0, 256, size=(12, 8, 8), dtype=np.uint8)
    train_labels, test_labels = RNG.integers(0, 3, 30), RNG.integers(0, 3, 12)
    spaces = {
        "pixels": (train.reshape(30, -1) / 255.0, test.reshape(12, -1) / 255.0),
        "halves": (train[:, :4].reshape(30, -1) / 255.0, test[:, :4].reshape(12, -1) / 255.0),
    }
    return NearestNeighbourExplorer(train, train_labels, test, test_labels, spaces, k=3, max_k=5)


#: A small instance of every widget (no training, no downloads), and the controls the test drives.
FACTORIES = {
    "adversarial": (
        lambda: AdversarialExplorer(_tiny_cnn(), RNG.integers(0, 256, (4, 28, 28), dtype=np.uint8), [1, 2, 3, 4]),
        ("index_box", "epsilon_slider"),
    ),
    "augmentation": (
        lambda: AugmentationExplorer(images={"noise": RNG.random((16, 16)), "colour": RNG.random((12, 12, 3))}),
        ("source", "flip", "sliders.rotation", "sliders.contrast", "sliders.width_factor"),
    ),
    "feature_maps": (
        lambda: FeatureMapViewer(_tiny_cnn(), RNG.integers(0, 256, (3, 28, 28), dtype=np.uint8)),
        ("image_slider", "layer_dropdown", "channel_slider", "all_channels"),
    ),
    "gradient_reach": (
        GradientReach,
        ("mode", "input_size", "kernel_size", "stride", "padding", "row", "col", "gradient"),
    ),
    "nearest_neighbours": (_neighbours, ("subset_dropdown", "position_slider", "jump_box", "k_slider")),
    "param_calculator": (ParamCalculator, ("preset", "size", "channels", "bias", "stack")),
    "sliding_kernel": (
        lambda: SlidingKernel(np.random.default_rng(3).integers(-9, 10, size=(6, 7)), kernel="Sobel x", padding=1),
        ("position", "stride", "padding", "dilation", "flip", "kernel", "kernel_text"),
    ),
}


def test_every_widget_has_a_factory():
    assert set(FACTORIES) == set(ALL_WIDGETS)


@pytest.fixture(scope="module")
def widgets():
    """One instance per widget, made once, with the first values of its controls and its first state."""
    made = {}
    for name, (factory, paths) in FACTORIES.items():
        widget = factory()
        made[name] = widget
        widget.first_values = {path: get(widget, path) for path in paths}
        widget.first_state = repr(widget.state())
    return made


def control(widget, path):
    """An ipywidgets control of a BookWidget, by attribute path (``sliders.rotation``)."""
    name, _, key = path.partition(".")
    found = getattr(widget, name)
    return found[key] if key else found


def get(widget, path):
    """What a control shows: an anywidget's synced trait, or an ipywidgets control's value."""
    return getattr(widget, path) if isinstance(widget, BookAnyWidget) else control(widget, path).value


def put(widget, path, value):
    if isinstance(widget, BookAnyWidget):
        setattr(widget, path, value)
    else:
        control(widget, path).value = value


def watch(widget, path, record):
    """Observe (or with ``record=None`` stop observing) the value a control hands to its handler."""
    target, name = (widget, path) if isinstance(widget, BookAnyWidget) else (control(widget, path), "value")
    return target, name


# ----------------------------------------------------------------------------------------------
# Display: one test for every widget
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORIES))
def bundle_of(widget):
    """The display's data: anywidgets return (data, metadata), BookWidgets the data."""
    bundle = widget._repr_mimebundle_()
    return bundle[0] if isinstance(bundle, tuple) else bundle


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_display_sends_the_live_widget_and_a_standin_only_when_asked(name, widgets, monkeypatch):
    widget = widgets[name]
    anywidget = isinstance(widget, BookAnyWidget)
    assert anywidget or isinstance(widget, BookWidget)
    monkeypatch.delenv(STANDIN_ENV, raising=False)
    bundle = bundle_of(widget)
    model_id = widget.model_id if anywidget else widget.ui.model_id
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == model_id
    assert type(widget).__name__ in bundle["text/plain"]
    # In a live kernel no stand-in is drawn: a one-line placeholder only.
    assert "cnnbook-placeholder" in bundle["text/html"] and len(bundle["text/html"]) < 400
    monkeypatch.setenv(STANDIN_ENV, "1")
    page = bundle_of(widget)["text/html"]
    kind = "cnnbook-fallback cnnbook-anywidget" if anywidget else "cnnbook-fallback"
    assert page.startswith(f'<div class="{kind}" data-widget="{type(widget).__name__}"')
    assert "cnnbook-placeholder" not in page and "CNNBOOKID" not in page
    assert len(page) < 300_000, f"{name}: stand-in of {len(page)} bytes"
    if not anywidget:
        assert widget.standin_html() is widget.standin_html()  # cached while the state is unchanged
    assert not re.search(r"<script[^>]+src=|https?://", page), f"{name}: the stand-in loads something"
    build_standins(False)
    try:
        assert "cnnbook-placeholder" in bundle_of(widget)["text/html"]  # the flag overrides the variable
    finally:
        build_standins(None)


def test_a_minimal_subclass_gets_the_wrapped_standin_with_a_content_id(monkeypatch):
    import ipywidgets

    class Demo(BookWidget):
        def __init__(self, text):
            self.text = text
            self._assemble(ipywidgets.IntSlider())

        def state(self):
            return {"text": self.text}

        def _build_standin(self):
            return f'<p id="demo-CNNBOOKID">{self.text}</p>'

    monkeypatch.setenv(STANDIN_ENV, "1")
    page = Demo("frames")._repr_mimebundle_()["text/html"]
    assert re.fullmatch(
        r'<div class="cnnbook-fallback" data-widget="Demo"><p id="demo-[0-9a-f]{12}">frames</p></div>', page
    )
    assert Demo("frames").standin_html() == page and Demo("other").standin_html() != page


@pytest.mark.parametrize("name", ["gradient_reach", "param_calculator", "sliding_kernel", "augmentation"])
def test_standin_ids_come_from_the_content(name):
    """Two widgets in the same state write the same HTML; a change of state changes the ids."""
    factory, _ = FACTORIES[name]
    first, second = factory(), factory()
    if name == "augmentation":  # random images: give both the same ones
        second = AugmentationExplorer(images=first._images)
        first = AugmentationExplorer(images=first._images)
    assert first.standin_html() == second.standin_html()
    ids = set(re.findall(r'id="([^"]+)"', first.standin_html()))
    assert ids, f"{name}: the stand-in has no element id"
    if name == "augmentation":  # the frames show fixed settings on the image shown
        second.source.value = "colour"
    else:
        second.benchmark_actions()[0]()
    assert second.standin_html() != first.standin_html()
    assert not ids & set(re.findall(r'id="([^"]+)"', second.standin_html()))


def test_projector_scale_enlarges_new_widgets_and_their_standins():
    set_projector_scale(1.6)
    try:
        widget = _neighbours()
        assert "zoom:1.6" in widget.ui.children[0].value and "cnnbook-widget" in widget.ui._dom_classes
        assert widget.standin_html().startswith(
            '<div class="cnnbook-fallback" data-widget="NearestNeighbourExplorer" style="zoom:1.6">'
        )
        anywidget = GradientReach()  # the module's frame reads the scale from the synced _scale
        assert anywidget._scale == 1.6 and '"_scale":1.6' in anywidget.standin_html()
        with pytest.raises(ValueError, match="scale must be a finite number from 1 to 3; got 9.0"):
            set_projector_scale(9)
    finally:
        set_projector_scale(1)
    assert projector_scale() == 1 and _neighbours().ui.children[0].value == "" and GradientReach()._scale == 1


# ----------------------------------------------------------------------------------------------
# Property test: random control values never break a widget
# ----------------------------------------------------------------------------------------------

NASTY = st.one_of(
    st.just(math.nan),
    st.just(math.inf),
    st.just(-math.inf),
    st.just(1e308),
    st.just(-1e308),
    st.just(""),
    st.just(None),
    st.just(10**12),
    st.just(-1),
    st.just(0),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.just([1, 2]),
    st.sampled_from(
        [
            "1e308 1e308\n1e308 1e308",
            "1 2; 3",
            "nan",
            "1/0",
            "conv 3 99999999",
            "dense -1",
            "9" * 400,
            "1 0\n0 1",
            "1 2; 3 4",
            "conv 8 3 same\nflatten\ndense 10",
        ]
    ),
)


def good_values(widget_control):
    """Values the control itself offers (options, its range)."""
    options = getattr(widget_control, "options", None)
    if options:
        values = [option[1] if isinstance(option, tuple) else option for option in options]
        return st.sampled_from(values)
    if isinstance(getattr(widget_control, "value", None), bool):
        return st.booleans()
    low, high = getattr(widget_control, "min", None), getattr(widget_control, "max", None)
    if low is not None and high is not None:
        if isinstance(widget_control.value, int):
            return st.integers(int(low), int(high))
        return st.floats(float(low), float(high))
    return st.text(alphabet="0123456789 -;\n", max_size=20)


#: Values the page's controls offer, for the anywidgets' traits.
GOOD = {
    "gradient_reach": {
        "mode": st.sampled_from([OUTPUT_MODE, INPUT_MODE]),
        "input_size": st.integers(2, 6),
        "kernel_size": st.integers(1, 3),
        "stride": st.integers(1, 3),
        "padding": st.sampled_from(["valid", "same", "full", 1]),
        "row": st.integers(0, 5),
        "col": st.integers(0, 5),
        "gradient": st.lists(st.lists(st.integers(-9, 9), min_size=2, max_size=2), min_size=2, max_size=2),
    },
    "param_calculator": {
        "preset": st.sampled_from(list(PRESETS)),
        "size": st.integers(1, 256),
        "channels": st.integers(1, 8),
        "bias": st.booleans(),
        "stack": st.text(alphabet="conv pool dense flatten 0123456789\n", max_size=30),
    },
    "sliding_kernel": {
        "position": st.integers(0, 60),
        "stride": st.integers(1, 3),
        "padding": st.sampled_from(["valid", "same", "full", 1, 2, 3]),
        "dilation": st.integers(1, 3),
        "flip": st.booleans(),
        "kernel": st.lists(
            st.lists(st.lists(st.integers(-3, 3), min_size=2, max_size=2), min_size=2, max_size=2),
            min_size=1,
            max_size=1,
        ),
        "kernel_text": st.sampled_from(list(KERNEL_PRESETS.values()) + ["1 0\n0 -1", "1/9 2"]),
    },
}


def mentioned(value, error):
    """Whether the message names the refused value (as Python or the user would write it)."""
    forms = {repr(value), str(value), repr(value)[:57]}  # a long value is quoted cut to 57 characters
    if isinstance(value, float):
        forms |= {f"{value:g}", repr(float(value))}
    if isinstance(value, str):
        tokens = [token for token in re.split(r"[\s,;\[\]]+", value) if token]
        forms |= set(tokens) | {repr(token) for token in tokens}
        forms.add(value.strip())
    if any(form and form in error for form in forms):
        return True
    # Only separators, brackets or a comment: nothing to quote, the message says the box is empty.
    return isinstance(value, str) and not re.search(r"[^\s,;\[\]|]", re.sub(r"#.*", "", value)) and "empty" in error


def check_consistent(widget, name):
    held = widget.state()
    shown = {key: getattr(widget, key) for key in held} if isinstance(widget, BookAnyWidget) else widget.shown_state()
    for key, value in shown.items():
        expected = held[key]
        if isinstance(expected, float) and isinstance(value, float):
            assert value == pytest.approx(expected), f"{name}: {key} shows {value!r} but holds {expected!r}"
        else:
            assert value == expected, f"{name}: {key} shows {value!r} but holds {expected!r}"


def reset(widget):
    for _ in range(2):  # twice: one control's range may depend on another's
        for path, value in widget.first_values.items():
            put(widget, path, value)


def drive(name, widget, paths, steps):
    reset(widget)
    widget.benchmark_actions()[0]()  # one good input clears a message an earlier example left
    reset(widget)
    assert repr(widget.state()) == widget.first_state and widget.error == ""
    for index, value in steps:
        path = paths[index]
        target, trait = watch(widget, path, None)
        before, error_before = widget.state(), widget.error
        received = []
        record = lambda change, received=received: received.append(change["new"])  # noqa: E731 (what the handler was given)
        target.observe(record, names=trait)
        try:
            put(widget, path, value)
        except traitlets.TraitError:
            continue  # the control (or the trait's type) refused the value: no handler ran
        finally:
            target.unobserve(record, names=trait)
        value = received[-1] if received else value  # a slider clamps a value into its range
        check_consistent(widget, name)
        if widget.error and widget.error != error_before and repr(widget.state()) == repr(before):
            # Refused: the message names the value, or the one still typed in a box that it cannot work with.
            named = mentioned(value, widget.error) or any(
                isinstance(get(widget, other), str) and mentioned(get(widget, other), widget.error)
                for other in paths
                if other != path
            )
            assert named, f"{name}: {path}={value!r} refused with: {widget.error}"
    # Every control back to its first value, and one more good input: the message goes.
    reset(widget)
    widget.benchmark_actions()[0]()
    assert widget.error == "", f"{name}: message left after good input: {widget.error}"
    reset(widget)
    assert repr(widget.state()) == widget.first_state
    check_consistent(widget, name)


@pytest.mark.parametrize("name", sorted(n for n in FACTORIES if FACTORIES[n][1]))
def test_random_control_values_never_break_a_widget(name, widgets):
    widget = widgets[name]
    paths = FACTORIES[name][1]
    examples = 40 if name in ("adversarial", "feature_maps", "augmentation", "nearest_neighbours") else 150

    reset(widget)
    good = [  # fixed before drawing: no external state
        GOOD[name][path] if isinstance(widget, BookAnyWidget) else good_values(control(widget, path)) for path in paths
    ]

    @st.composite
    def step(draw):
        index = draw(st.integers(0, len(paths) - 1))
        return index, draw(good[index] if draw(st.booleans()) else NASTY)

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(step(), min_size=1, max_size=8))
    def run(steps):
        drive(name, widget, paths, steps)

    run()
