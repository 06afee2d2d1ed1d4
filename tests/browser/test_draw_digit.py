"""The draw-a-digit widget in headless Chromium: drawing through pointer events, and its arithmetic against Keras.

The page is written by the test from the widget's static stand-in (the same
ES module the live widget runs), with a CNN trained for one epoch on the
bundled MNIST sample (seconds; the arithmetic does not depend on how well it
was trained). The module's own forward pass and preprocessing are imported
from it and compared with Keras and with ``cnnbook.draw.preprocess_like_mnist``.
Run:  make test-browser   (or: pytest tests/browser/test_draw_digit.py)
"""

import numpy as np
import pytest
from conftest import open_page, standin_page

from cnnbook import data, draw, models
from cnnbook.env import seed_everything
from cnnbook.widgets.draw_digit import DrawDigit

PAD = 280  # the drawing canvas's resolution (js/draw_digit.js)

# Imports the widget's module (its text, from a blob URL) and runs `body` with it as `module`.
WITH_MODULE = """async ([esm, weights, args]) => {
    const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
    const module = await import(url);
    const layers = module.decodeWeights(weights);
    %s
}"""


@pytest.fixture(scope="module")
def model():
    (x_train, y_train), _ = data.load_mnist_sample()
    seed_everything(0)
    network = draw.digit_cnn()
    models.fit(network, data.to_model_input(x_train), y_train, epochs=1, batch_size=64)
    return network


@pytest.fixture(scope="module")
def widget(model):
    return DrawDigit(model)


@pytest.fixture
def page(browser, widget, tmp_path):
    context, page, errors, external = open_page(
        browser,
        standin_page(tmp_path / "draw.html", [widget]),
        viewport=(1200, 900),
        local="file:|blob:|data:",
        console=("error", "warning"),
    )
    page.wait_for_selector(".cnnbook-draw-digit canvas.pad")
    yield page
    assert not errors, f"page or console errors: {errors}"
    assert not external, f"the widget asked for external files: {external}"
    assert page.locator(".cnnbook-error:not([hidden])").count() == 0, "the widget showed an error"
    context.close()


def with_module(page, widget, body, args=None):
    return page.evaluate(WITH_MODULE % body, [widget._esm, widget.weights, args])


# ---- what the reader sees --------------------------------------------------------------------------


def shown(page):
    """What the widget shows: the input pixels, each layer's map pixels, the probabilities and the status line."""
    return page.evaluate(
        """() => {
        const root = document.querySelector(".cnnbook-draw-digit");
        const pixels = (canvas) => {  // read through a copy, so the widget's own canvases are read only by it
            const copy = document.createElement("canvas");
            copy.width = canvas.width;
            copy.height = canvas.height;
            const context = copy.getContext("2d", {willReadFrequently: true});
            context.drawImage(canvas, 0, 0);
            return Array.from(context.getImageData(0, 0, copy.width, copy.height).data.filter((_, i) => i % 4 === 0));
        };
        return {
            input: pixels(root.querySelector("canvas.pixels")),
            conv1: Array.from(root.querySelectorAll(".maps.conv1 canvas"), pixels),
            conv2: Array.from(root.querySelectorAll(".maps.conv2 canvas"), pixels),
            probabilities: Array.from(root.querySelectorAll("td.probability"), (cell) => cell.textContent),
            status: root.querySelector(".status").textContent,
        };
    }"""
    )


def stroke(page, points):
    """Draw one stroke through the mouse's pointer events, points in the pad's 0-1 coordinates."""
    box = page.locator("canvas.pad").bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=3)
    page.mouse.up()
    page.wait_for_timeout(50)  # the widget redraws on the next animation frame


def probabilities(view):
    return np.array([float(text.rstrip("%")) / 100 for text in view["probabilities"]])


def test_drawing_changes_the_input_the_feature_maps_and_the_probabilities(page):
    empty = shown(page)
    assert "Draw a digit" in empty["status"]
    assert not any(empty["input"]) and empty["probabilities"] == [""] * 10
    assert len(empty["conv1"]) == 8 and len(empty["conv2"]) == 16

    stroke(page, [(0.5, 0.15), (0.52, 0.5), (0.5, 0.85)])  # a "1"
    one = shown(page)
    assert any(one["input"]) and "The CNN says" in one["status"]
    assert any(any(channel) for channel in one["conv1"]) and any(any(channel) for channel in one["conv2"])
    assert abs(probabilities(one).sum() - 1) < 0.01

    stroke(page, [(0.3, 0.2), (0.7, 0.2), (0.35, 0.85)])  # a "7" over it
    seven = shown(page)
    assert seven["input"] != one["input"]
    assert seven["conv1"] != one["conv1"] and seven["conv2"] != one["conv2"]
    assert seven["probabilities"] != one["probabilities"]

    page.click("text=Clear")
    page.wait_for_timeout(50)
    assert shown(page) == empty


def test_empty_dot_and_whole_canvas_scribble_give_a_sensible_display(page):
    box = page.locator("canvas.pad").bounding_box()
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.6 * box["height"])  # a single dot
    page.wait_for_timeout(50)
    dot = shown(page)
    assert any(dot["input"]) and abs(probabilities(dot).sum() - 1) < 0.01

    page.click("text=Clear")
    rng = np.random.default_rng(1)
    for _ in range(6):  # scribble over the whole pad
        stroke(page, rng.uniform(0, 1, size=(12, 2)).tolist())
    scribble = shown(page)
    assert abs(probabilities(scribble).sum() - 1) < 0.01 and "The CNN says" in scribble["status"]


def test_random_strokes_and_clicks_give_no_error(page):
    rng = np.random.default_rng(2)
    for _ in range(25):
        if rng.uniform() < 0.2:
            page.click("text=Clear")
        # points may leave the pad: a stroke that goes off the canvas must not break anything
        stroke(page, rng.uniform(-0.2, 1.2, size=(rng.integers(1, 8), 2)).tolist())
    view = shown(page)
    assert len(view["probabilities"]) == 10
    # the page fixture checks that no page error, console error or error box appeared


# ---- the module's arithmetic against Keras and numpy ------------------------------------------------


def test_logits_equal_keras_on_500_test_digits(page, widget, model):
    import keras

    _, (x_test, _) = data.load_mnist(full=True)
    images = data.to_model_input(x_test[:500])
    expected = keras.Model(model.inputs, model.get_layer("logits").output).predict(images, verbose=0)
    logits = with_module(
        page,
        widget,
        "return args.map((image) => Array.from(module.forward(layers, Float32Array.from(image)).logits));",
        images.reshape(500, -1).tolist(),
    )
    difference = np.abs(np.array(logits) - expected).max()
    assert difference < 1e-4, difference
    assert np.abs(expected).max() > 1, "the logits are too small for the check to mean anything"


def test_preprocessing_equals_numpy(page, widget):
    rng = np.random.default_rng(3)
    drawings = []
    for rows, cols in [(PAD, PAD), (50, 90), (7, 3), (1, 1)]:
        ink = np.zeros((rows, cols))
        top, left = rng.integers(0, rows), rng.integers(0, cols)
        ink[top : top + rng.integers(1, rows + 1), left : left + rng.integers(1, cols + 1)] = rng.uniform(size=1)
        ink[rng.integers(0, rows, 5), rng.integers(0, cols, 5)] = 1
        drawings.append(ink)
    drawings.append(np.zeros((20, 20)))
    computed = with_module(
        page,
        widget,
        "return args.map(([ink, rows, cols]) => Array.from(module.preprocess(Float32Array.from(ink), rows, cols)));",
        [[ink.ravel().tolist(), *ink.shape] for ink in drawings],
    )
    for ink, image in zip(drawings, computed):
        expected = draw.preprocess_like_mnist(ink.astype(np.float32))
        assert np.abs(np.array(image).reshape(28, 28) - expected).max() < 1e-5, f"drawing of {ink.shape}"


def test_a_digit_drawn_off_centre_or_small_keeps_its_class(page, widget):
    _, (x_test, _) = data.load_mnist(full=True)
    digits = x_test[:200] / 255.0
    # (times larger, top, left): centred; large and off-centre; small, in a corner
    placements = [(7, 42, 42), (7, 84, 0), (3, 0, 196)]
    classes = with_module(
        page,
        widget,
        """return args.digits.map((digit) => args.placements.map(([repeat, top, left]) => {
            const ink = new Float32Array(280 * 280);  // the MNIST digit drawn `repeat` times larger at (top, left)
            for (let r = 0; r < 28 * repeat; r++) {
                for (let c = 0; c < 28 * repeat; c++) {
                    ink[(top + r) * 280 + left + c] = digit[Math.floor(r / repeat) * 28 + Math.floor(c / repeat)];
                }
            }
            const result = module.forward(layers, module.preprocess(ink, 280, 280));
            return result.probabilities.indexOf(Math.max(...result.probabilities));
        }));""",
        {"digits": digits.reshape(len(digits), -1).tolist(), "placements": placements},
    )
    classes = np.array(classes)
    assert np.array_equal(classes[:, 1], classes[:, 0]), "moving the drawing changed a class"
    assert np.mean(classes[:, 2] == classes[:, 0]) >= 0.98, "drawing small changed too many classes"
