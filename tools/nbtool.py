"""Maintenance commands for the chapter notebooks.

    python tools/nbtool.py sync-colab [NOTEBOOK ...]   write the standard Colab set-up cell
    python tools/nbtool.py check-colab [NOTEBOOK ...]  fail if any notebook's cell differs
    python tools/nbtool.py check-figures [NOTEBOOK ...]  fail if a figure has no alt text/caption
    python tools/nbtool.py execute NOTEBOOK ...        run in place, keep outputs, print times
    python tools/nbtool.py test [NOTEBOOK ...]         run each notebook once into _build/executed/,
                                                       fail on any error or changed checked output
    python tools/nbtool.py cache [NOTEBOOK ...]        hand those executed notebooks to the book build

The Colab set-up cell is generated from one template (tools/colab_setup_cell.py),
the repository URL and branch in _config.yml and the release tag v<version>
from pyproject.toml, so the URL and the tag live in one place each.

`test` is how `make test` executes each chapter once: it runs in the Colab
mirror (.venv-colab) and checks the cells tagged `nbval-check-output` against
the committed outputs with nbval's rules (--nbval-lax); `cache` (in .venv)
stores the notebooks it executed in the book build's execution cache, so
`jupyter-book build` shows those outputs instead of executing the chapters again.
"""

import argparse
import copy
import os
import pathlib
import re
import sys
import time
import tomllib

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Kernels inherit this: keeps TensorFlow's C++ start-up logs out of cell outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# ...and this: the widgets draw the static stand-ins the HTML book shows (execute and test
# store the outputs the book is built from).
os.environ.setdefault("CNNBOOK_STANDINS", "1")
CHAPTERS = ROOT / "chapters"
TAG = "remove-cell"
CHECK_TAG = "nbval-check-output"
EXECUTED = ROOT / "_build" / "executed"
BOOK_CACHE = ROOT / "_build" / ".jupyter_cache"  # where jupyter-book's execute: cache looks


def repository():
    """The ``repository:`` entry of _config.yml (url, branch)."""
    import yaml

    entry = yaml.safe_load((ROOT / "_config.yml").read_text()).get("repository") or {}
    if "url" not in entry:
        raise SystemExit("_config.yml has no repository: url: entry")
    return entry


def repository_url():
    return repository()["url"]


def version():
    """The package version, from pyproject.toml (its only home)."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def release_tag():
    return "v" + version()


def colab_cell_source():
    template = (ROOT / "tools" / "colab_setup_cell.py").read_text()
    entry = repository()
    return template.format(repository=entry["url"], branch=entry.get("branch", "main"), tag=release_tag()).rstrip("\n")


def is_colab_cell(cell):
    return cell.cell_type == "code" and "google.colab" in cell.source and TAG in cell.metadata.get("tags", [])


def shown(path):
    """A path relative to the repository when it is inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def notebooks(paths):
    if paths:
        return [pathlib.Path(p).resolve() for p in paths]
    return sorted(CHAPTERS.glob("*.ipynb"))


def sync_colab(paths):
    source = colab_cell_source()
    for path in notebooks(paths):
        nb = nbformat.read(path, as_version=4)
        nb.cells = [cell for cell in nb.cells if not is_colab_cell(cell)]
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": [TAG]})
        cell.id = "colab-setup"
        first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
        nb.cells.insert(first_code, cell)
        nbformat.validator.normalize(nb)
        nbformat.write(nb, path)
        print(f"synced {shown(path)}")


def colab_problems(path):
    """Return a list of problems with a notebook's Colab set-up cell."""
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code:
        return ["has no code cell"]
    first = code[0]
    problems = []
    if first.source.rstrip("\n") != colab_cell_source():
        problems.append("first code cell is not the standard Colab set-up cell (run tools/nbtool.py sync-colab)")
    if TAG not in first.metadata.get("tags", []):
        problems.append(f"Colab set-up cell is not tagged {TAG}")
    if first.get("outputs"):
        problems.append("Colab set-up cell has outputs (it must stay silent)")
    return problems


def figure_problems(path):
    """Code cells that draw an image but give it neither alt text nor a caption.

    The HTML book takes both from the cell metadata:
    ``{"mystnb": {"image": {"alt": "..."}}}`` or ``{"mystnb": {"figure": {"caption": "..."}}}``.
    """
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", []) if any(m.startswith("image/") for m in o.get("data", {}))]
        if not images:
            continue
        options = cell.metadata.get("mystnb", {})
        alt = options.get("image", {}).get("alt", "").strip()
        caption = options.get("figure", {}).get("caption", "").strip()
        if not alt and not caption:
            first_line = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
            problems.append(
                f"cell {index} ({first_line!r}) shows an image without mystnb image alt text or figure caption"
            )
    return problems


def report(paths, problems_of):
    """Print each notebook's problems; 1 if there were any (the exit status)."""
    failed = False
    for path in notebooks(paths):
        for problem in problems_of(path):
            failed = True
            print(f"{shown(path)}: {problem}")
    return 1 if failed else 0


def run_notebook(nb, path, timeout=900):
    """Execute ``nb`` in place in a fresh python3 kernel (this environment's), in the notebook's folder."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # per-cell timestamps only make diffs noisy
        cell.metadata.pop("execution", None)
    stable_widget_ids(nb, path)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stable_widget_ids(nb, path):
    """Name each stored widget view after its place, not the kernel's random model id.

    Widget state is not stored (``store_widget_state=False``), so the id points
    at nothing once the kernel is gone; a random one would only rewrite the
    notebook on every run.
    """
    for index, cell in enumerate(nb.cells):
        for number, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = f"{path.stem}-cell{index}-output{number}"


def execute(paths, timeout=900):
    for path in notebooks(paths):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        run_notebook(nb, path, timeout)
        nbformat.write(nb, path)
        print(f"executed {shown(path)} in {time.perf_counter() - start:.1f} s")


# What nbval --nbval-lax leaves out of a comparison (nbval.plugin.IPyNbFile.skip_compare).
SKIP_COMPARE = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}


def _comparable(outputs):
    """nbval's view of a cell's outputs: streams merged, one list of values per output field."""
    from nbval.plugin import coalesce_streams, transform_streams_for_comparison

    fields = {}
    for output in transform_streams_for_comparison(coalesce_streams(copy.deepcopy(outputs))):
        for key, value in output.items():
            if key == "data":
                for mime, content in value.items():
                    if mime not in SKIP_COMPARE:
                        fields.setdefault(mime, []).append(content)
            elif key not in SKIP_COMPARE:
                fields.setdefault(key, []).append(value)
    return fields


def output_differences(committed, executed):
    """Cells tagged nbval-check-output whose new outputs differ from the committed ones."""
    problems = []
    for index, (old, new) in enumerate(zip(committed.cells, executed.cells)):
        if old.cell_type != "code" or CHECK_TAG not in old.metadata.get("tags", []):
            continue
        if old.execution_count is None:
            problems.append(f"cell {index} is tagged {CHECK_TAG} but committed without running")
            continue
        before, after = _comparable(old.outputs), _comparable(new.outputs)
        if before != after:
            first_line = old.source.strip().splitlines()[0][:60] if old.source.strip() else ""
            problems.append(
                f"cell {index} ({first_line!r}) output changed:\n  committed: {before!r}\n  now:       {after!r}"
            )
    return problems


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # tracebacks come coloured from the kernel


def test(paths, timeout=900):
    """Execute each notebook once into _build/executed/, report errors and changed checked outputs.

    Returns the exit status: 0 when every notebook ran and matched.
    """
    from nbclient.exceptions import CellExecutionError

    failed, passed = [], 0
    for path in notebooks(paths):
        committed = nbformat.read(path, as_version=4)
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            run_notebook(nb, path, timeout)
            problems = output_differences(committed, nb)
        except CellExecutionError as error:
            problems = [f"a cell raised an error:\n{ANSI_COLOUR.sub('', str(error))}"]
        seconds = time.perf_counter() - start
        if problems:
            failed.append(path)
            print(f"FAILED {shown(path)} ({seconds:.1f} s)")
            for problem in problems:
                print("  " + problem.replace("\n", "\n  "))
        else:
            passed += 1
            target = EXECUTED / shown(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
            print(f"passed {shown(path)} ({seconds:.1f} s)", flush=True)
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


def cache(paths):
    """Store each notebook's executed copy (from `test`) in the book build's execution cache.

    jupyter-book (execute_notebooks: cache) then matches each chapter to its
    record by the hash of its code, and shows those outputs without running it.
    """
    from jupyter_cache import get_cache

    store = get_cache(str(BOOK_CACHE))
    for path in notebooks(paths):
        executed = EXECUTED / shown(path)
        if not executed.exists():
            raise SystemExit(f"{shown(executed)} is missing: run `nbtool.py test {shown(path)}` first")
        store.cache_notebook_file(str(executed), uri=str(path), check_validity=False, overwrite=True)
        try:
            store.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            raise SystemExit(f"{shown(executed)} does not match {shown(path)}: the build would run it again") from None
        print(f"cached {shown(executed)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["sync-colab", "check-colab", "check-figures", "execute", "test", "cache"])
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "sync-colab":
        sync_colab(args.notebooks)
    elif args.command == "check-colab":
        return report(args.notebooks, colab_problems)
    elif args.command == "check-figures":
        return report(args.notebooks, figure_problems)
    elif args.command == "test":
        return test(args.notebooks)
    elif args.command == "cache":
        cache(args.notebooks)
    else:
        if not args.notebooks:
            parser.error("execute needs at least one notebook")
        execute(args.notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
