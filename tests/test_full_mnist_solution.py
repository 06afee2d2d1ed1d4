"""Chapter 2's full-MNIST solution: the numbers its text shows come from a run of the code it shows."""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import full_mnist_solution  # noqa: E402


def test_stored_numbers_come_from_the_code_the_chapter_shows():
    stored = json.loads(full_mnist_solution.RESULT.read_text())
    code = full_mnist_solution.solution_code()
    assert stored["code_sha256"] == full_mnist_solution.digest(code), (
        "chapter 2's full-MNIST solution changed since its numbers were stored: run tools/full_mnist_solution.py"
    )
    assert set(stored["results"]) == {
        "raw pixels + logistic regression",
        "DAISY + logistic regression",
        "small CNN (early stopping)",
    }
    assert all(0.0 < value <= 1.0 for value in stored["results"].values())


def test_the_script_runs_the_chapters_imports_and_daisy_parameters_first():
    setup = full_mnist_solution.setup_code()
    compile(setup, "set-up", "exec")
    assert "from cnnbook" in setup and setup.rstrip().splitlines()[-1].startswith("params = dict(")
