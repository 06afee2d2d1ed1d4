"""The arithmetic anywidgets in the static page, driven in headless Chromium with no kernel.

The sliding kernel, the gradient reach and the parameter calculator are
anywidgets: in the HTML book their one ES module runs on a local model. These
tests drive every control of each in the page and compare the numbers shown
with cnnbook's (``conv2d``, ``conv2d_backward``, ``layer_table``) for several
settings, then feed bad input and a fuzz of random control values and check
that no page error or console error appears.

They run against a small page the test writes from the widgets' stand-ins
(fast, no book build needed) and, when ``_build/html`` holds a built book,
against the widgets on the chapter pages too.
Run:  make test-browser   (or: pytest tests/browser/test_widget_standins.py)
"""

import numpy as np
import pytest
from conftest import HTML, open_page, standin_page

from cnnbook.conv import conv2d
from cnnbook.grad import conv2d_backward
from cnnbook.params import layer_table
from cnnbook.widgets import GradientReach, ParamCalculator, SlidingKernel
from cnnbook.widgets.gradient_reach import INPUT_MODE, OUTPUT_MODE
from cnnbook.widgets.param_calculator import parse_stack
from cnnbook.widgets.sliding_kernel import KERNEL_PRESETS, parse_kernel

IMAGE = np.random.default_rng(5).integers(-9, 10, size=(6, 7))
COLOUR = np.random.default_rng(6).integers(0, 4, size=(5, 5, 3))


def four_widgets(title=None):
    """The widgets of the stand-in pages: two sliding kernels (the first titled ``title``, the second
    on three channels), a gradient reach and a parameter calculator."""
    return [
        SlidingKernel(IMAGE, kernel="Sobel x", padding="same", title=title),
        SlidingKernel(COLOUR, kernel="lecture kernel", stride=2, padding=1),
        GradientReach(),
        ParamCalculator(),
    ]


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    """A page holding the stand-ins of the three widgets (and a three-channel sliding kernel)."""
    url = standin_page(tmp_path_factory.mktemp("standins") / "index.html", four_widgets(title="test"))
    context, page, errors, external = open_page(browser, url)
    yield page
    assert not errors, f"JavaScript errors: {errors}"
    assert not external, f"the stand-ins asked for external files: {external}"
    context.close()


# ---- reading and driving a stand-in --------------------------------------------------------------


def number(text):
    return float(text.replace("\u2212", "-").replace(",", "").strip("()"))


def table(root, css):
    """Cell texts of every ``table.css`` in ``root``, rows stacked."""
    return root.locator(f"table.{css}").evaluate_all(
        "ts => ts.flatMap(t => [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim())))"
    )


def set_range(root, control, value):
    root.locator(f"[data-control={control}]").evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", str(value)
    )


def set_text(root, control, text):
    box = root.locator(f"[data-control={control}]")
    box.fill(text)
    box.dispatch_event("change")


def select(root, control, value):
    root.locator(f"select[data-control={control}]").select_option(str(value))


def check(root, control, on):
    box = root.locator(f"input[data-control={control}]")
    box.check() if on else box.uncheck()


def error(root):
    return root.locator(".cnnbook-error").inner_text().strip()


# ---- the sliding kernel ---------------------------------------------------------------------------


def shown_full_output(root):
    """Move to the last output cell, then read every output value."""
    last = int(root.locator("[data-control=position]").get_attribute("max"))
    set_range(root, "position", last)
    return np.array([[number(c) for c in row] for row in table(root, "sk-output")])


def check_sliding_kernel(root, image, settings):
    for stride, padding, dilation, flip, kernel_text in settings:
        select(root, "padding", padding)
        set_range(root, "stride", stride)
        set_range(root, "dilation", dilation)
        check(root, "flip", flip)
        set_text(root, "kernel", kernel_text)
        assert error(root) == "", (stride, padding, dilation, flip, error(root))
        channels = image.shape[2] if image.ndim == 3 else 1
        kernel = parse_kernel(kernel_text, channels=channels)
        kernel = kernel[..., np.newaxis] if kernel.ndim == 2 else kernel
        applied = kernel[::-1, ::-1] if flip else kernel
        x = image if image.ndim == 3 else image[..., np.newaxis]
        pad = int(padding) if str(padding).isdigit() else padding
        expected = conv2d(x, applied[..., np.newaxis], stride=stride, padding=pad, dilation=dilation)[..., 0]
        shown = shown_full_output(root)
        assert shown.shape == expected.shape, (stride, padding, dilation)
        np.testing.assert_allclose(shown, expected, atol=0.006)
        # One cell's products and sum, as the widget writes them out.
        set_range(root, "position", 0)
        total = number(root.locator(".sk-sum").inner_text())
        assert total == pytest.approx(expected[0, 0], abs=0.006)
        products = [number(cell.split("\n")[-1]) for row in table(root, "sk-products") for cell in row]
        assert sum(products) == pytest.approx(expected[0, 0], abs=0.05)


SETTINGS = [
    (1, "same", 1, False, KERNEL_PRESETS["Sobel x"]),
    (2, "valid", 1, False, KERNEL_PRESETS["sharpen"]),
    (1, "full", 2, True, "1 2\n3 4"),
    (3, 2, 1, True, "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9"),
    (2, "same", 2, False, "-1 0 1"),
]


def test_sliding_kernel_shows_conv2d_for_every_control(page):
    root = page.locator(".cnnbook-fallback[data-widget=SlidingKernel]").nth(0)
    check_sliding_kernel(root, IMAGE, SETTINGS)
    # A preset fills the kernel box and the kernel table.
    select(root, "preset", "Sobel y")
    assert root.locator("[data-control=kernel]").input_value() == KERNEL_PRESETS["Sobel y"]
    np.testing.assert_allclose(
        shown_full_output(root),
        conv2d(IMAGE, parse_kernel(KERNEL_PRESETS["Sobel y"]), stride=2, padding="same", dilation=2),
    )


def test_sliding_kernel_refuses_bad_input_and_recovers(page):
    root = page.locator(".cnnbook-fallback[data-widget=SlidingKernel]").nth(0)
    check_sliding_kernel(root, IMAGE, SETTINGS[:1])
    before = shown_full_output(root)
    set_text(root, "kernel", "1e308 1e308\n1e308 1e308")
    assert "'1e308' in row 1 is too large" in error(root)
    np.testing.assert_array_equal(shown_full_output(root), before)
    set_text(root, "kernel", "1 2\n3")
    assert "row 2" in error(root)
    select(root, "padding", "valid")
    set_range(root, "dilation", 3)  # 7 taps on a 6-row image: refused, the control goes back
    assert "larger than the padded input" in error(root)
    assert root.locator("[data-control=dilation]").input_value() == "1"
    check_sliding_kernel(root, IMAGE, SETTINGS[1:2])  # good input clears the message


def test_sliding_kernel_sums_over_channels(page):
    root = page.locator(".cnnbook-fallback[data-widget=SlidingKernel]").nth(1)
    assert len(table(root, "sk-input")) == 3 * 7  # three padded 7x7 grids
    check_sliding_kernel(
        root,
        COLOUR,
        [
            (2, 1, 1, False, KERNEL_PRESETS["lecture kernel"]),
            (1, "valid", 1, True, "1 0\n0 0\n|\n0 1\n0 0\n|\n0 0\n2 -1"),
        ],
    )


# ---- the gradient reach ---------------------------------------------------------------------------


def check_gradient_reach(root, settings):
    for n, k, stride, padding, gradient_text in settings:
        select(root, "padding", padding)
        set_range(root, "input_size", n)
        set_range(root, "kernel_size", k)
        set_range(root, "stride", stride)
        assert error(root) == "", error(root)
        widget = GradientReach(n, k, stride, padding)
        if gradient_text:
            set_text(root, "gradient", gradient_text)
            widget.gradient = [[float(v) for v in row.split()] for row in gradient_text.split(";")]
            assert widget.error == ""
        x = np.arange(1, n * n + 1, dtype=float).reshape(n, n)
        f = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
        dx, df = conv2d_backward(x, f, widget.gradient_array, stride, padding)
        np.testing.assert_allclose([[number(c) for c in row] for row in table(root, "gr-dx")], dx)
        np.testing.assert_allclose([[number(c) for c in row] for row in table(root, "gr-df")], df)
        out = widget.output_shape[0]
        # Output mode: the chosen cell's reach is shaded on the input grid.
        root.locator(f"button[data-mode='{OUTPUT_MODE}']").click()
        for row, col in {(0, 0), (out - 1, out - 1), (out // 2, 0)}:
            set_range(root, "row", row + 1)
            set_range(root, "col", col + 1)
            hot = root.locator("table.gr-input td.hot").count()
            assert hot == len(widget.reached_inputs(row, col)), (n, k, stride, padding, row, col)
        # Input mode: the sum of the arriving gradients is dL/dX of that pixel.
        root.locator(f"button[data-mode='{INPUT_MODE}']").click()
        for row, col in {(0, 0), (n - 1, n - 1), (n // 2, n - 1)}:
            set_range(root, "row", row + 1)
            set_range(root, "col", col + 1)
            assert number(root.locator(".gr-sum").inner_text()) == dx[row, col]
            assert root.locator("table.gr-gradient td.hot").count() == len(widget.arrivals(row, col))


def test_gradient_reach_shows_conv2d_backward_in_both_modes(page):
    root = page.locator(".cnnbook-fallback[data-widget=GradientReach]").nth(0)
    check_gradient_reach(
        root,
        [
            (3, 2, 1, "valid", ""),
            (3, 2, 1, "valid", "1 -2; 0.5 4"),
            (5, 3, 2, "same", ""),
            (4, 2, 2, "full", "1 0 2; 0 3 0; 1 1 1"),
            (6, 3, 3, 1, ""),
        ],
    )


def test_gradient_reach_refuses_bad_input_and_recovers(page):
    root = page.locator(".cnnbook-fallback[data-widget=GradientReach]").nth(0)
    check_gradient_reach(root, [(3, 2, 1, "valid", "")])
    set_text(root, "gradient", "1e308 1e308; 1e308 1e308")
    assert "'1e308' in row 1 is too large" in error(root)
    set_text(root, "gradient", "1 2 3")
    assert "dL/dO must be 2 rows of 2 values" in error(root)
    check_gradient_reach(root, [(3, 2, 1, "valid", "1 1; 1 1")])
    assert error(root) == ""


# ---- the parameter calculator ---------------------------------------------------------------------


def check_param_calculator(root, settings):
    for size, channels, bias, stack in settings:
        set_text(root, "size", str(size))
        set_text(root, "channels", str(channels))
        check(root, "bias", bias)
        set_text(root, "stack", stack)
        assert error(root) == "", error(root)
        rows = layer_table((size, size, channels), parse_stack(stack, bias=bias))
        shown = table(root, "cnnbook-param-table")[1:]  # after the header
        assert [r[0] for r in shown[:-1]] == [row.name for row in rows]
        assert [r[1] for r in shown[:-1]] == ["x".join(map(str, row.output_shape)) for row in rows]
        assert [number(r[2]) for r in shown[:-1]] == [row.params for row in rows]
        assert [number(r[4]) for r in shown[:-1]] == [row.activations for row in rows]
        assert [number(r[5]) for r in shown[:-1]] == [row.mult_adds for row in rows]
        formulas = table(root, "pc-formulas")
        for (name, text, count), row in zip(formulas, rows[1:]):
            assert name == row.name and eval(text) == row.params == number(count[2:])  # noqa: S307 (digits, *, +)


def test_param_calculator_shows_layer_table(page):
    root = page.locator(".cnnbook-fallback[data-widget=ParamCalculator]").nth(0)
    check_param_calculator(
        root,
        [
            (28, 1, True, "conv 32 5 same\npool 2\nconv 64 5 same\npool 2\nflatten\ndense 1024\ndense 10"),
            (32, 3, False, "conv 8 3x5 stride 2 same; avgpool 2; conv 4 2; gap; dense 3"),
            (200, 1, False, "conv 100 5"),
            (9, 1, True, "conv 3 3 stride 3\nflatten\ndense 20\ndense 10"),
            (12, 2, True, "conv 4 3\ndense 5  # no flatten: acts on the last axis"),
        ],
    )
    select(root, "preset", "Kuo: 200x200 image, 100 hidden units")
    assert root.locator("[data-control=size]").input_value() == "200"
    assert number(table(root, "cnnbook-param-table")[-1][2]) == 200 * 200 * 100


def test_param_calculator_refuses_bad_input_and_recovers(page):
    root = page.locator(".cnnbook-fallback[data-widget=ParamCalculator]").nth(0)
    check_param_calculator(root, [(28, 1, True, "conv 8 3\nflatten\ndense 10")])
    set_text(root, "stack", "conv 8 99")
    assert "does not fit" in error(root)
    set_text(root, "stack", "relu")
    assert "unknown layer 'relu'" in error(root)
    check_param_calculator(root, [(28, 1, True, "conv 8 3\nflatten\ndense 10")])


# ---- the same widgets on the built book's pages -----------------------------------------------


@pytest.fixture(scope="module")
def book(browser):
    if not (HTML / "index.html").exists():
        pytest.skip(f"no built book at {HTML}: run `make book` first")
    return browser


@pytest.mark.parametrize(
    "chapter, widget",
    [
        ("chapters/01_convolution", "SlidingKernel"),
        ("chapters/04_parameters", "ParamCalculator"),
        ("chapters/05_gradient", "GradientReach"),
    ],
)
def test_the_built_book_has_working_standins(book, chapter, widget):
    html = (HTML / f"{chapter}.html").read_text(encoding="utf-8")
    assert "cnnbook-placeholder" not in html, f"{chapter}: built without {widget}'s stand-in (CNNBOOK_STANDINS=1)"
    context, page, errors, external = open_page(book, (HTML / f"{chapter}.html").as_uri())
    try:
        roots = page.locator(f".cnnbook-fallback[data-widget={widget}]")
        assert roots.count() >= 1, f"{chapter}: no {widget} stand-in"
        root = roots.nth(0)
        if widget == "SlidingKernel":
            pixels = json_data(root)["state"]["config"]["image"]
            image = np.moveaxis(np.array(pixels, dtype=float), 0, 2)
            check_sliding_kernel(root, image[..., 0] if image.shape[2] == 1 else image, SETTINGS[:3])
        elif widget == "GradientReach":
            check_gradient_reach(root, [(3, 2, 1, "valid", ""), (5, 3, 2, "same", "")])
        else:
            check_param_calculator(root, [(28, 1, True, "conv 8 3\nflatten\ndense 10")])
        assert not errors, f"{chapter}: JavaScript errors {errors}"
    finally:
        context.close()


def json_data(root):
    import json

    return json.loads(root.locator("script[type='application/json']").evaluate("s => s.textContent"))


# ---- a fuzz of random control values --------------------------------------------------------------

#: Run in the page: random values (good, out of range, junk) into every control of every widget, with
#: random clicks, many times; the model the module holds is read back after each step.
FUZZ = """
(roots, seed) => {
  let state = seed;
  const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
  const pick = (list) => list[Math.floor(random() * list.length)];
  const junk = ["", "-1", "0", "1e308", "NaN", "abc", "1 2\\n3", "9".repeat(300), "1/0", "conv 3 99999999",
                "dense -1", "[[1, 2], [3, 4]]", "1 0; 0 1", "conv 8 3\\nflatten\\ndense 10", "| |", "#", "1 -1"];
  let steps = 0;
  for (let round = 0; round < 60; round++) {
    for (const root of roots) {
      const controls = [...root.querySelectorAll("[data-control]")];
      const control = pick(controls);
      if (control.tagName === "SELECT") {
        control.value = pick([...control.options]).value;
        control.dispatchEvent(new Event("change"));
      } else if (control.tagName === "BUTTON") {
        if (control.dataset.control !== "play") { control.click(); }
      } else if (control.type === "checkbox") {
        control.checked = !control.checked;
        control.dispatchEvent(new Event("change"));
      } else if (control.type === "range") {
        control.value = String(Math.floor(random() * (Number(control.max) + 3)) - 1);
        control.dispatchEvent(new Event("input"));
      } else {
        control.value = random() < 0.5 ? pick(junk) : String(Math.floor(random() * 40) - 5);
        control.dispatchEvent(new Event("change"));
      }
      steps++;
    }
  }
  return steps;
}
"""


def test_a_fuzz_of_random_control_values_gives_no_page_or_console_error(browser, tmp_path):
    context, page, errors, external = open_page(browser, standin_page(tmp_path / "fuzz.html", four_widgets()))
    try:
        page.wait_for_function("document.querySelectorAll('.cnnbook-widget').length === 4")
        roots = page.locator(".cnnbook-anywidget")
        for seed in range(1, 6):
            assert roots.evaluate_all(FUZZ, seed) == 240
        assert not errors, f"JavaScript errors: {errors}"
        assert not external
        # Still working: good input afterwards gives cnnbook's numbers and clears the messages.
        check_sliding_kernel(roots.nth(0), IMAGE, SETTINGS[:1])
        check_gradient_reach(roots.nth(2), [(3, 2, 1, "valid", "")])
        check_param_calculator(roots.nth(3), [(28, 1, True, "conv 8 3\nflatten\ndense 10")])
        assert not errors, f"JavaScript errors: {errors}"
    finally:
        context.close()
