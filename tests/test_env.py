"""cnnbook.env: Colab detection, device report, seeding, the GPU requirement."""

import os
import pathlib
import random
import subprocess
import sys
import tomllib

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import cnnbook
from cnnbook import env

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def tensorflow_sees_a_gpu():
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def test_in_colab_follows_google_colab_module(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert env._in_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert env._in_colab() is True


def test_device_report_is_one_line_with_versions():
    import keras
    import tensorflow as tf

    report = env.device_report()
    assert "\n" not in report
    assert tf.__version__ in report and keras.__version__ in report
    assert ("GPU" in report) == tensorflow_sees_a_gpu()


def test_seed_everything_makes_numpy_python_and_keras_repeatable():
    import keras

    def draw():
        return random.random(), np.random.rand(), float(keras.random.uniform(()).numpy())

    env.seed_everything(7)
    first = draw()
    env.seed_everything(7)
    assert draw() == first
    env.seed_everything(8)
    assert draw() != first


def test_seed_everything_makes_tensorflow_ops_deterministic():
    from tensorflow.python.framework import config  # the public API can switch it on, not read it

    env.seed_everything(0)
    assert config.is_op_determinism_enabled()


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed"):
        env.seed_everything(seed)


def test_version_comes_from_pyproject():
    with open(ROOT / "pyproject.toml", "rb") as file:
        assert cnnbook.__version__ == tomllib.load(file)["project"]["version"]


def import_cnnbook(require_gpu):
    environment = {key: value for key, value in os.environ.items() if key != env.REQUIRE_GPU_VARIABLE}
    if require_gpu is not None:
        environment[env.REQUIRE_GPU_VARIABLE] = require_gpu
    return subprocess.run([sys.executable, "-c", "import cnnbook"], env=environment, capture_output=True, text=True)


@pytest.mark.skipif(tensorflow_sees_a_gpu(), reason="TensorFlow sees a GPU here")
def test_require_gpu_makes_importing_cnnbook_fail_without_a_gpu():
    result = import_cnnbook("1")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("RuntimeError: CNNBOOK_REQUIRE_GPU=1 is set, but TensorFlow")
    assert "sees no GPU" in message and "tensorflow[and-cuda]" in message


@pytest.mark.parametrize("value", [None, "", "0"])
def test_without_require_gpu_importing_cnnbook_works(value):
    result = import_cnnbook(value)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_imports_cnnbook_in_its_first_cell_after_the_setup_cell(path):
    # So CNNBOOK_REQUIRE_GPU stops every chapter at that cell.
    code = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert "google.colab" in code[0].source
    assert any(line.startswith(("import cnnbook", "from cnnbook")) for line in code[1].source.splitlines())


def first_cells(path, require_gpu, monkeypatch):
    """Run a chapter's set-up cell and first cell in a fresh kernel (the variable set or not)."""
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    nb.cells = code[:2]
    if require_gpu:
        monkeypatch.setenv(env.REQUIRE_GPU_VARIABLE, "1")
    else:
        monkeypatch.delenv(env.REQUIRE_GPU_VARIABLE, raising=False)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


@pytest.mark.skipif(tensorflow_sees_a_gpu(), reason="TensorFlow sees a GPU here")
def test_require_gpu_stops_a_chapter_at_its_first_cell_and_its_absence_lets_it_run(monkeypatch):
    chapter = ROOT / "chapters" / "01_convolution.ipynb"
    with pytest.raises(CellExecutionError, match="CNNBOOK_REQUIRE_GPU=1 is set, but TensorFlow .* sees no GPU"):
        first_cells(chapter, True, monkeypatch)
    nb = first_cells(chapter, False, monkeypatch)
    assert not [output for cell in nb.cells for output in cell.outputs if output.output_type == "error"]


def test_benchmark_reference_is_none_or_a_full_run():
    reference = env.benchmark_reference()
    if reference is None:
        return
    assert reference["quick"] is False
    for key in (
        "machine",
        "widget_update_ms",
        "conv2d_vs_tf_ratio",
        "conv2d_loop_vs_tf_ratio",
        "conv2d_backward_vs_tf_ratio",
        "chapter_seconds",
        "chapter_budgets",
        "book_build_seconds",
        "widget_page_update_ms",
        "within_budget",
    ):
        assert key in reference
