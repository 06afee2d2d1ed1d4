"""Maintenance commands for the chapter notebooks.

    python tools/nbtool.py sync-colab [NOTEBOOK ...]   write the standard Colab set-up cell
    python tools/nbtool.py check-colab [NOTEBOOK ...]  fail if any notebook's cell differs
    python tools/nbtool.py check-figures [NOTEBOOK ...]  fail if a figure has no alt text/caption
    python tools/nbtool.py execute NOTEBOOK ...        run in place, keep outputs, print times

The Colab set-up cell is generated from one template (tools/colab_setup_cell.py),
the repository URL in _config.yml and the release tag v<version> from
pyproject.toml, so the URL and the tag live in one place each.
"""
import argparse
import os
import pathlib
import re
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Kernels inherit this: keeps TensorFlow's C++ start-up logs out of cell outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
CHAPTERS = ROOT / "chapters"
TAG = "remove-cell"


def repository_url():
    text = (ROOT / "_config.yml").read_text()
    match = re.search(r"^repository:\s*\n\s+url:\s*(\S+)", text, re.M)
    if not match:
        raise SystemExit("_config.yml has no repository: url: entry")
    return match.group(1)


def release_tag():
    match = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    if not match:
        raise SystemExit("pyproject.toml has no version")
    return "v" + match.group(1)


def colab_cell_source():
    template = (ROOT / "tools" / "colab_setup_cell.py").read_text()
    return template.format(repository=repository_url(), tag=release_tag()).rstrip("\n")


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
            problems.append(f"cell {index} ({first_line!r}) shows an image without mystnb image alt text or figure caption")
    return problems


def report(paths, problems_of):
    """Print each notebook's problems; 1 if there were any (the exit status)."""
    failed = False
    for path in notebooks(paths):
        for problem in problems_of(path):
            failed = True
            print(f"{shown(path)}: {problem}")
    return 1 if failed else 0


def execute(paths, timeout=900):
    from nbclient import NotebookClient

    for path in notebooks(paths):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:  # per-cell timestamps only make diffs noisy
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
        print(f"executed {shown(path)} in {time.perf_counter() - start:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["sync-colab", "check-colab", "check-figures", "execute"])
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "sync-colab":
        sync_colab(args.notebooks)
    elif args.command == "check-colab":
        return report(args.notebooks, colab_problems)
    elif args.command == "check-figures":
        return report(args.notebooks, figure_problems)
    else:
        if not args.notebooks:
            parser.error("execute needs at least one notebook")
        execute(args.notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
