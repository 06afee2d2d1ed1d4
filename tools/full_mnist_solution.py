"""Run chapter 2's exercise 5 solution (the full MNIST) and store what it measured.

    python tools/full_mnist_solution.py      writes data/full_mnist_solution.json

The solution is too slow for the chapter's time budget (DAISY for 70,000
digits, two logistic regressions on 55,000, the CNN's epochs), so the chapter
shows its code without running it. This script runs exactly that code: it
takes the Python block from the chapter's cell tagged ``solution-not-executed``
that calls ``load_mnist(full=True)``, after the chapter's import cell and its
DAISY parameters, and stores the block's ``full_results`` with the block's
SHA-256, the machine and the time. The chapter glues the stored numbers into
the solution's text, and a test fails when the block changes without a new run.
"""

import hashlib
import json
import os
import pathlib
import platform
import re
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "chapters" / "02_daisy_vs_learned.ipynb"
RESULT = ROOT / "data" / "full_mnist_solution.json"
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def cells():
    return json.loads(CHAPTER.read_text())["cells"]


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_code():
    """The Python block of the not-executed solution that loads the full MNIST."""
    for cell in cells():
        source = text(cell)
        if "solution-not-executed" in cell.get("metadata", {}).get("tags", []) and "load_mnist(full=True)" in source:
            blocks = FENCE.findall(source)
            if len(blocks) != 1:
                raise SystemExit(
                    f"{CHAPTER.name}: the full-MNIST solution must hold one python block; found {len(blocks)}"
                )
            return blocks[0]
    raise SystemExit(f"{CHAPTER.name}: no cell tagged solution-not-executed calls load_mnist(full=True)")


def digest(code):
    return hashlib.sha256(code.encode()).hexdigest()


def setup_code():
    """The chapter's import cell (its first cell that imports cnnbook) and its DAISY parameters."""
    code = [text(cell) for cell in cells() if cell["cell_type"] == "code"]
    imports = next(source for source in code if "from cnnbook" in source and "google.colab" not in source)
    params = next(line for source in code for line in source.splitlines() if line.startswith("params = dict("))
    return imports + "\n" + params + "\n"


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    code = solution_code()
    namespace = {}
    start = time.perf_counter()
    exec(compile(setup_code(), "chapter 2 set-up", "exec"), namespace)
    exec(compile(code, "chapter 2, exercise 5 solution", "exec"), namespace)
    seconds = time.perf_counter() - start
    results = namespace.get("full_results")
    if not isinstance(results, dict) or not results:
        raise SystemExit("the solution's block must leave its accuracies in a dict named full_results")
    import keras
    import tensorflow as tf

    record = {
        "results": {name: float(value) for name, value in results.items()},
        "code_sha256": digest(code),
        "seconds": round(seconds, 1),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
    }
    RESULT.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    print(f"wrote {RESULT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
