"""A live anywidget in JupyterLab, driven in headless Chromium.

Starts ``jupyter lab`` (no browser, a token, a free port) on a small
notebook, runs its widget cell, moves a control in the page and checks that
the widget redraws and that the kernel's traitlet follows (a second cell
prints it). Also checks that bad input shows the widget's error and that no
page error or console error appears.
Run:  make test-browser   (or: pytest tests/browser/test_jupyterlab.py)
"""

import json
import os
import pathlib
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CELLS = [
    "from cnnbook.widgets import GradientReach\nwidget = GradientReach()\nwidget",
    "print('stride', widget.stride, 'output', widget.output_shape, 'error', repr(widget.error))",
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a folder holding ``widget.ipynb``: yields its URL and token."""
    folder = tmp_path_factory.mktemp("lab")
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
            for source in CELLS
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "widget.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")])}
    env.pop("CNNBOOK_STANDINS", None)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1"]
    command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}", "--LabApp.news_url=None"]
    command += ["--allow-root", "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False"]
    log = open(folder / "lab.log", "wb")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not start:\n" + (folder / "lab.log").read_text(errors="replace"))
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_cell(page, index):
    """Run code cell ``index`` and wait until the kernel has run it (its prompt shows a number)."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "el => /\\[\\d+\\]/.test(el.querySelector('.jp-InputPrompt').innerText)",
        arg=cell.element_handle(),
        timeout=90_000,
    )
    return cell


def test_a_live_anywidget_responds_to_a_control(browser, lab):
    url, token = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())  # nothing from outside
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{url}/lab/tree/widget.ipynb?token={token}", wait_until="domcontentloaded")
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=90_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)  # the kernel is ready
        cell = run_cell(page, 0)
        view = cell.locator(".cnnbook-widget")
        view.wait_for(timeout=90_000)  # anywidget's front end ran the ES module
        assert "cnnbook-placeholder" not in cell.inner_html()  # the live view, not the stand-in
        table = view.locator("table.gr-gradient")
        assert table.locator("tr").count() == 2  # 3x3 input, 2x2 filter: a 2x2 dL/dO
        view.locator("select[data-control=padding]").select_option("full")
        page.wait_for_function(
            "el => el.querySelectorAll('table.gr-gradient tr').length === 4", arg=view.element_handle()
        )
        view.locator("[data-control=stride]").evaluate("el => { el.value = 2; el.dispatchEvent(new Event('input')); }")
        page.wait_for_function(
            "el => el.querySelectorAll('table.gr-gradient tr').length === 2", arg=view.element_handle()
        )
        # The kernel's traitlets followed the page. (ipywidgets sends one state message at a time and
        # buffers the next until the kernel is idle again, so the second may land after a cell run now.)
        deadline, printed = time.monotonic() + 60, ""
        while "stride 2" not in printed and time.monotonic() < deadline:
            output = run_cell(page, 1).locator(".jp-OutputArea-output").first
            output.wait_for(timeout=60_000)
            printed = output.inner_text()
        assert "stride 2 output (2, 2) error ''" in printed
        # Bad input: the widget's one error display, and the last valid state stays.
        view.locator("[data-control=gradient]").fill("1 2 3")
        view.locator("[data-control=gradient]").dispatch_event("change")
        assert "dL/dO must be 2 rows of 2 values" in view.locator(".cnnbook-error").inner_text()
        assert view.locator("table.gr-gradient tr").count() == 2
        assert not errors, f"errors in JupyterLab: {errors}"
    finally:
        context.close()
