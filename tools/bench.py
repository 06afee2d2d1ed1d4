"""Benchmark of the book's speed budgets (README.md, "Speed budgets").

    python tools/bench.py            everything (a full book build included)
    python tools/bench.py --quick    widgets and convolution ratios only
    python tools/bench.py --chapters 07 08 10 --save-reference
                                     time only those chapters, in that order, and
                                     replace their entries in the reference

Prints a table and writes _build/bench/results.json. Ratios are measured in
one process, after warm-up, so they compare like with like on a noisy
machine; absolute seconds are comparable only between machines with the same
description (the "machine" entry).
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Kernels inherit this: keeps TensorFlow's C++ start-up logs out of cell outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Chapters and the book build run as the book runs them, drawing the widgets' stand-ins
# (the widget benchmark turns it off while it measures a live first display).
os.environ.setdefault("CNNBOOK_STANDINS", "1")
RESULTS = ROOT / "_build" / "bench" / "results.json"
REFERENCE = ROOT / "data" / "bench_reference.json"

BUDGETS = {
    "widget_update_ms": 50.0,  # each widget, median of one control change
    "widget_first_display_ms": 200.0,  # each widget, its first display in a live kernel (no stand-in drawn)
    # The anywidgets' ES module in headless Chromium: JSON read, module imported, first render (and layout) ...
    "widget_page_first_display_ms": 200.0,
    "widget_page_update_ms": 50.0,  # ... and the median of one control change through to the new picture
    "conv2d_vs_tf_ratio": 5.0,
    "conv2d_backward_vs_tf_ratio": 5.0,
    "chapter_seconds": 180.0,  # each chapter, except those CHAPTER_SECONDS names
    "pretrained_load_seconds": 5.0,  # read, verify and map the EfficientNet-Lite0 weights, build the Keras model
    "pretrained_predict_ms": 100.0,  # one 224 x 224 photo through EfficientNet-Lite0
    "book_build_seconds": 1200.0,
    "full_mnist_load_seconds": 5.0,  # load_mnist(full=True), cold: read, decode, verify
    "draw_digit_forward_ms": 16.0,  # chapter 3's draw-a-digit CNN, one forward pass in Chromium
    "draw_digit_page_kb": 150.0,  # what the draw-a-digit widget adds to its page, weights included
}

# Chapters with a budget of their own: chapter 6 trains the MNIST progression to convergence (issue 21).
CHAPTER_SECONDS = {"06_keras_mnist": 240.0}


def budget_of(name):
    """The budget of a measure named as in ``within_budget`` (``group.member``)."""
    group, _, member = name.partition(".")
    if group == "chapter_seconds":
        return CHAPTER_SECONDS.get(member, BUDGETS[group])
    return BUDGETS[group]


# The typical layer of the ratio measurements: a 64x64 map with 16 channels,
# 32 filters of 3x3, "same" padding, float32 as in a real network.
LAYER = {"height": 64, "width": 64, "in_channels": 16, "out_channels": 32, "kernel": 3, "padding": "same"}


def median_seconds(action, repeat, warmup=2):
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def machine():
    import keras
    import numpy as np
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpus = [
        tf.config.experimental.get_device_details(g).get("device_name", g.name)
        for g in tf.config.list_physical_devices("GPU")
    ]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "device": ("GPU: " + ", ".join(gpus)) if gpus else "CPU",
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def bench_widgets(repeat):
    """Per widget: first display, stand-in and update milliseconds (kernel side).

    For the anywidgets the kernel side is the traitlets and their checks; their
    drawing is timed in the browser (:func:`bench_widget_pages`).

    ``first_display``: the first ``_repr_mimebundle_`` of a new instance in a
    live kernel, where no stand-in is drawn (the book build draws it:
    ``standin``, for information). ``update``: median of one control change.
    """
    import matplotlib

    matplotlib.use("Agg")
    from cnnbook.widgets import ALL_WIDGETS, STANDIN_ENV

    flag = os.environ.pop(STANDIN_ENV, None)
    first_display, standin, updates = {}, {}, {}
    try:
        for name, widget_class in sorted(ALL_WIDGETS.items()):
            widget = widget_class.example()
            start = time.perf_counter()
            widget._repr_mimebundle_()
            first_display[name] = round((time.perf_counter() - start) * 1000, 3)
            start = time.perf_counter()
            widget.standin_html()
            standin[name] = round((time.perf_counter() - start) * 1000, 1)
            actions = widget.benchmark_actions()
            if not actions:
                raise RuntimeError(f"{name}.benchmark_actions() returned no action")
            for action in actions:  # warm-up: caches, first-call imports
                action()
            timings = []
            for _ in range(repeat):
                for action in actions:
                    start = time.perf_counter()
                    action()
                    timings.append((time.perf_counter() - start) * 1000)
            if widget.error:
                raise RuntimeError(f"{name}: a benchmark action was refused: {widget.error}")
            updates[name] = round(statistics.median(timings), 3)
    finally:
        if flag is not None:
            os.environ[STANDIN_ENV] = flag
    return {"widget_first_display_ms": first_display, "widget_standin_ms": standin, "widget_update_ms": updates}


#: Run in the page for each anywidget: every select, range, checkbox and mode button (not Play) moved
#: in turn, ``repeat`` times, each timed from the event to the redrawn, laid-out widget.
PAGE_UPDATES = """
async (root, repeat) => {
  const controls = [...root.querySelectorAll("select[data-control], input[type=range][data-control],"
                                              + "input[type=checkbox][data-control], button[data-mode]")];
  const move = (control, round) => {
    if (control.tagName === "SELECT") {
      control.selectedIndex = (control.selectedIndex + 1) % control.options.length;
      control.dispatchEvent(new Event("change"));
    } else if (control.tagName === "BUTTON") {
      control.click();
    } else if (control.type === "checkbox") {
      control.checked = !control.checked;
      control.dispatchEvent(new Event("change"));
    } else {
      const low = Number(control.min), high = Number(control.max);
      control.value = String(high > low ? low + (round % 2 ? 1 : 0) : low);
      control.dispatchEvent(new Event("input"));
    }
  };
  const timings = [];
  for (let round = 0; round < repeat + 2; round++) {
    for (const control of controls) {
      const start = performance.now();
      move(control, round);
      await Promise.resolve();            // the redraw the change queued
      root.getBoundingClientRect();        // and its layout
      if (round >= 2) { timings.push(performance.now() - start); }   // two rounds of warm-up
    }
  }
  timings.sort((a, b) => a - b);
  return [timings.length, timings[Math.floor(timings.length / 2)]];
}
"""


#: In the page's head: the time from this script to the widget's first render, laid out. ``render`` draws the
#: whole widget in one task, so the observer (a microtask queued by its first node) runs once it is drawn;
#: the time is taken in the page, not when the test driver next looks (its polling would add to it).
PAGE_FIRST_DISPLAY = """
window.benchStart = performance.now();
new MutationObserver((changes, observer) => {
  const widget = document.querySelector(".cnnbook-widget");
  if (widget) {
    widget.getBoundingClientRect();
    window.benchShown = performance.now() - window.benchStart;
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def bench_widget_pages(repeat):
    """Per anywidget, in headless Chromium: the stand-in page's first display and one control change (ms).

    The first display runs from the page's first script to the module's
    rendered, laid-out widget (the JSON read, the ES module imported from its
    inlined text, ``render``); the same module draws the live widget in
    Jupyter. Each is a median (five page loads; ``repeat`` rounds of changes),
    reported with the machine's load average, since other work slows a
    browser a lot. Skipped (empty) without Chromium and Playwright.
    """
    import shutil

    from cnnbook.widgets import ALL_WIDGETS
    from cnnbook.widgets._anywidget import BookAnyWidget

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {}
    if not pathlib.Path(chromium).exists():
        print(f"widget pages: skipped (no Chromium at {chromium})", flush=True)
        return {}
    first_display, updates = {}, {}
    folder = pathlib.Path(tempfile.mkdtemp(prefix="cnnbook-bench-pages-"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        for name, widget_class in sorted(ALL_WIDGETS.items()):
            if not issubclass(widget_class, BookAnyWidget):
                continue
            page_file = folder / f"{name}.html"
            page_file.write_text(
                "<!DOCTYPE html><html><head><meta charset='utf-8'><script>" + PAGE_FIRST_DISPLAY + "</script></head>"
                "<body>" + widget_class.example().standin_html() + "</body></html>",
                encoding="utf-8",
            )
            errors, loads = [], []
            for _ in range(5):  # the median of five fresh page loads
                page = browser.new_page()
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.goto(page_file.as_uri())
                loads.append(page.wait_for_function("window.benchShown").json_value())
                if len(loads) < 5:
                    page.close()
            first_display[name] = round(statistics.median(loads), 1)
            count, median = page.locator(".cnnbook-anywidget").evaluate(PAGE_UPDATES, repeat)
            if errors or not count:
                raise RuntimeError(f"{name}: the page benchmark failed: {errors or 'no control to move'}")
            updates[name] = round(median, 2)
            page.close()
        browser.close()
    return {
        "widget_page_first_display_ms": first_display,
        "widget_page_update_ms": updates,
        "widget_page_load_average": round(os.getloadavg()[0], 1),  # other work on the machine meanwhile
    }


def layer_arrays(dtype):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((LAYER["height"], LAYER["width"], LAYER["in_channels"])).astype(dtype)
    k = rng.standard_normal((LAYER["kernel"], LAYER["kernel"], LAYER["in_channels"], LAYER["out_channels"])).astype(
        dtype
    )
    return x, k


def bench_conv(repeat):
    import numpy as np
    import tensorflow as tf

    from cnnbook.conv import conv2d, conv2d_loop

    x, k = layer_arrays(np.float32)
    x_tf, k_tf = tf.constant(x[np.newaxis]), tf.constant(k)
    tf_forward = median_seconds(lambda: tf.nn.conv2d(x_tf, k_tf, 1, "SAME").numpy(), repeat)
    numpy_forward = median_seconds(lambda: conv2d(x, k, padding="same"), repeat)
    loop_forward = median_seconds(lambda: conv2d_loop(x, k, padding="same"), max(1, repeat // 10), warmup=0)
    np.testing.assert_allclose(
        conv2d(x, k, padding="same"), tf.nn.conv2d(x_tf, k_tf, 1, "SAME").numpy()[0], rtol=1e-3, atol=1e-3
    )
    return {
        "tf_conv2d_ms": round(tf_forward * 1000, 3),
        "cnnbook_conv2d_ms": round(numpy_forward * 1000, 3),
        "cnnbook_conv2d_loop_ms": round(loop_forward * 1000, 3),
        "conv2d_vs_tf_ratio": round(numpy_forward / tf_forward, 3),
        "conv2d_loop_vs_tf_ratio": round(loop_forward / tf_forward, 1),
    }


def bench_conv_backward(repeat):
    import numpy as np
    import tensorflow as tf

    from cnnbook.conv import conv2d
    from cnnbook.grad import conv2d_backward

    x, k = layer_arrays(np.float32)
    dout = np.random.default_rng(1).standard_normal(conv2d(x, k, padding="same").shape).astype(np.float32)
    x_tf, k_tf, dout_tf = tf.constant(x[np.newaxis]), tf.constant(k), tf.constant(dout[np.newaxis])

    def tf_backward():
        with tf.GradientTape() as tape:
            tape.watch([x_tf, k_tf])
            out = tf.nn.conv2d(x_tf, k_tf, 1, "SAME")
        dx, dk = tape.gradient(out, [x_tf, k_tf], output_gradients=dout_tf)
        return dx.numpy(), dk.numpy()

    tf_seconds = median_seconds(tf_backward, repeat)
    numpy_seconds = median_seconds(lambda: conv2d_backward(x, k, dout, padding="same"), repeat)
    dx, dk = conv2d_backward(x, k, dout, padding="same")
    dx_tf, dk_tf = tf_backward()
    np.testing.assert_allclose(dx, dx_tf[0], rtol=1e-3, atol=1e-2)
    np.testing.assert_allclose(dk, dk_tf, rtol=1e-3, atol=1e-1)
    return {
        "tf_conv2d_backward_ms": round(tf_seconds * 1000, 3),
        "cnnbook_conv2d_backward_ms": round(numpy_seconds * 1000, 3),
        "conv2d_backward_vs_tf_ratio": round(numpy_seconds / tf_seconds, 3),
    }


def bench_full_mnist(repeat):
    """Seconds of a cold ``load_mnist(full=True)`` (unzip, blosc decode, sha256 checks), median."""
    from cnnbook import data

    def cold_load():
        data._full_mnist_arrays.cache_clear()
        data.load_mnist(full=True)

    return {"full_mnist_load_seconds": round(median_seconds(cold_load, min(repeat, 5), warmup=1), 3)}


def bench_pretrained(repeat):
    """EfficientNet-Lite0 (cnnbook.pretrained): load + build once, then one photo's prediction."""
    import skimage.data
    import tensorflow  # noqa: F401  (imported before the clock starts, as in a chapter)

    from cnnbook import pretrained

    start = time.perf_counter()
    model = pretrained.build_efficientnet_lite0()
    load_seconds = time.perf_counter() - start
    photo = pretrained.preprocess(skimage.data.chelsea())
    predict = median_seconds(lambda: model.predict_on_batch(photo), repeat)
    ((name, _),) = pretrained.decode_top_k(model.predict_on_batch(photo), k=1)[0]
    if name != "Egyptian cat":
        raise RuntimeError(f"EfficientNet-Lite0 calls skimage's chelsea {name!r}, not 'Egyptian cat'")
    return {"pretrained_load_seconds": round(load_seconds, 3), "pretrained_predict_ms": round(predict * 1000, 3)}


def bench_draw_digit(repeat):
    """Chapter 3's draw-a-digit widget in headless Chromium: its forward pass, and what it adds to the page.

    ``draw_digit_page_kb``: the widget's static stand-in (the ES module, its
    loader and the float32 weights, base64), in KB of 1,000 bytes; the size
    does not depend on the weights' values, so the untrained example is
    measured. ``draw_digit_forward_ms``: median of the module's own
    ``forward`` on one MNIST test digit; ``draw_digit_update_ms``: the whole
    update of one drawn frame (preprocessing the 280x280 pad, then the
    forward pass), for information. Needs Debian's ``chromium`` (or
    ``$CHROMIUM``) and Playwright.
    """
    import re
    import shutil

    import numpy as np
    from playwright.sync_api import sync_playwright

    from cnnbook import data
    from cnnbook.widgets.draw_digit import DrawDigit

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not pathlib.Path(chromium).exists():
        print(f"draw-a-digit: skipped (no Chromium at {chromium})", flush=True)
        return {}
    widget = DrawDigit.example()
    page_html = widget.standin_html()
    if re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", widget._esm + page_html, re.IGNORECASE):
        raise RuntimeError("the draw-a-digit widget refers to an external URL (a CDN?)")
    _, (x_test, _) = data.load_mnist(full=True)
    digit = (x_test[0] / 255.0).astype("float32")
    pad = np.kron(digit, np.ones((10, 10), dtype="float32"))  # the digit drawn on the 280x280 pad
    timing = """async ([esm, weights, digit, pad, repeat]) => {
        const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
        const module = await import(url);
        const layers = module.decodeWeights(weights);
        const image = Float32Array.from(digit), ink = Float32Array.from(pad);
        const median = (action) => {
            for (let i = 0; i < 5; i++) action();
            const times = [];
            for (let i = 0; i < repeat; i++) {
                const start = performance.now();
                action();
                times.push(performance.now() - start);
            }
            times.sort((a, b) => a - b);
            return times[Math.floor(times.length / 2)];
        };
        return [median(() => module.forward(layers, image)),
                median(() => module.forward(layers, module.preprocess(ink, 280, 280)))];
    }"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!DOCTYPE html><html><body></body></html>")
        forward_ms, update_ms = page.evaluate(
            timing, [widget._esm, widget.weights, digit.ravel().tolist(), pad.ravel().tolist(), max(repeat, 30)]
        )
        browser.close()
    return {
        "draw_digit_forward_ms": round(forward_ms, 3),
        "draw_digit_update_ms": round(update_ms, 3),
        "draw_digit_page_kb": round(len(page_html.encode("utf-8")) / 1000, 1),
    }


def chapter_paths(numbers=None):
    """The chapter notebooks in order, or those numbered ``numbers`` ("07", "10"), in that order."""
    paths = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    if numbers is None:
        return paths
    by_number = {path.name[:2]: path for path in paths}
    unknown = [number for number in numbers if number not in by_number]
    if unknown:
        raise SystemExit(f"--chapters: no chapter numbered {', '.join(unknown)} (have {', '.join(by_number)})")
    return [by_number[number] for number in numbers]


def bench_chapters(paths):
    """Wall time of each chapter notebook, top to bottom, in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    seconds = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        start = time.perf_counter()
        client.execute()
        seconds[path.stem] = round(time.perf_counter() - start, 1)
        print(f"  {path.stem}: {seconds[path.stem]} s", flush=True)
    return seconds


def bench_book_build():
    """Execute and build the whole book from a clean cache, into a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="cnnbook-bench-") as scratch:
        command = [
            str(pathlib.Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(ROOT),
            "--path-output",
            scratch,
            "-W",
            "-n",
            "--keep-going",
        ]
        start = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
            raise RuntimeError("the book build failed; see the output above")
    return round(seconds, 1)


def verdicts(results):
    checks = {}
    for key in ("widget_update_ms", "widget_first_display_ms", "widget_page_first_display_ms", "widget_page_update_ms"):
        for name, value in results.get(key, {}).items():
            checks[f"{key}.{name}"] = value < BUDGETS[key]
    for key in (
        "conv2d_vs_tf_ratio",
        "conv2d_backward_vs_tf_ratio",
        "full_mnist_load_seconds",
        "draw_digit_forward_ms",
        "draw_digit_page_kb",
        "pretrained_load_seconds",
        "pretrained_predict_ms",
        "book_build_seconds",
    ):
        if key in results:
            checks[key] = results[key] < BUDGETS[key]
    for name, value in results.get("chapter_seconds", {}).items():
        checks[f"chapter_seconds.{name}"] = value < budget_of(f"chapter_seconds.{name}")
    return checks


def bench_some_chapters(args, results):
    """``--chapters``: time those chapters; with ``--save-reference`` update their reference entries.

    The model cache starts empty here too, so a chapter that trains a cached model pays for it
    (in a full run the widget benchmark has already trained chapter 10's lecture CNN).
    """
    seconds = bench_chapters(chapter_paths(args.chapters))
    results["chapter_seconds"] = seconds
    results["chapter_budgets"] = {name: budget_of(f"chapter_seconds.{name}") for name in seconds}
    results["within_budget"] = verdicts(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    for name, value in seconds.items():
        ok = results["within_budget"][f"chapter_seconds.{name}"]
        print(f"{name:48} {value:>12} {budget_of(f'chapter_seconds.{name}'):>10}  {'yes' if ok else 'NO'}")
    if args.save_reference:
        reference = json.loads(REFERENCE.read_text())
        if reference["machine"] != results["machine"]:
            raise SystemExit(
                f"--chapters --save-reference: this machine ({results['machine']}) is not the reference's "
                f"({reference['machine']}); run the full benchmark instead"
            )
        reference["chapter_seconds"].update(seconds)
        reference["chapter_budgets"].update(results["chapter_budgets"])
        reference.setdefault("chapter_seconds_rerun", {}).update(dict.fromkeys(seconds, time.strftime("%Y-%m-%d")))
        reference["within_budget"] = verdicts(reference)
        REFERENCE.write_text(json.dumps(reference, indent=2) + "\n")
        print(f"updated {', '.join(seconds)} in {REFERENCE.relative_to(ROOT)}")
    return 0 if all(results["within_budget"].values()) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the chapter runs and the book build")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions of each timed step")
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
    parser.add_argument(
        "--save-reference",
        action="store_true",
        help=f"also store the results as {REFERENCE.relative_to(ROOT)} (quoted by the book)",
    )
    parser.add_argument(
        "--chapters",
        nargs="+",
        metavar="NN",
        help="time only these chapters, in this order (a chapter that loads a model an earlier one caches "
        "needs that one before it); with --save-reference, replace only their entries in the reference, "
        "which must come from the same machine",
    )
    args = parser.parse_args(argv)
    if args.chapters and args.quick:
        parser.error("--chapters and --quick exclude each other")

    # Chapters share trained models through a cache (cnnbook.models.cache_dir):
    # start from an empty one, as on a fresh machine running the book in order.
    os.environ["CNNBOOK_CACHE"] = tempfile.mkdtemp(prefix="cnnbook-bench-cache-")
    results = {"quick": args.quick, "budgets": BUDGETS, "layer": LAYER, "machine": machine()}
    print(
        f"machine: {results['machine']['cores']} cores, {results['machine']['cpu']}, "
        f"{results['machine']['device']}, TF {results['machine']['tensorflow']}",
        flush=True,
    )
    if args.chapters:
        return bench_some_chapters(args, results)
    results.update(bench_widgets(args.repeat))
    results.update(bench_widget_pages(min(args.repeat, 10)))
    results.update(bench_conv(args.repeat))
    results.update(bench_conv_backward(args.repeat))
    results.update(bench_full_mnist(args.repeat))
    results.update(bench_pretrained(args.repeat))
    results.update(bench_draw_digit(args.repeat))
    if not args.quick:
        print("chapters:", flush=True)
        results["chapter_seconds"] = bench_chapters(chapter_paths())
        results["chapter_budgets"] = {name: budget_of(f"chapter_seconds.{name}") for name in results["chapter_seconds"]}
        results["book_build_seconds"] = bench_book_build()
    results["within_budget"] = verdicts(results)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'measure':48} {'value':>12} {'budget':>10}  ok")
    for name, ok in results["within_budget"].items():
        group, _, member = name.partition(".")
        value = results[group][member] if member else results[group]
        budget = budget_of(name)
        print(f"{name:48} {value:>12} {budget:>10}  {'yes' if ok else 'NO'}")
    print(f"{'conv2d_loop_vs_tf_ratio (chapter 1 lesson)':48} {results['conv2d_loop_vs_tf_ratio']:>12}")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    if args.save_reference:
        if args.quick:
            parser.error("--save-reference needs a full run (without --quick)")
        REFERENCE.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {REFERENCE.relative_to(ROOT)}")
    return 0 if all(results["within_budget"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
