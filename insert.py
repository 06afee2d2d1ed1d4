"""Insert the checkable exercises of cells.json into the chapters, before each chapter's self test.

Run from the repository root:

    python insert.py [--cells cells.json] [--dry-run]

For every chapter ``NN`` in cells.json (``{"01": [exercise, ...], ...}``, each exercise a list of
nbformat-4 cell dicts), the script finds ``chapters/NN_*.ipynb`` and inserts the exercises right
before the ``## Self test`` heading; a markdown cell that holds other text before the heading is
split there. The exercises are numbered after the chapter's last exercise (``**k.`` prompts, or
``k.`` list items, in its Exercises section): the ``**K.`` placeholder becomes ``**k+1.``, and so on.
It refuses (and changes no chapter) when a chapter already holds one of the exercises, or has no
``## Self test`` heading, so running it twice does nothing.
"""

import argparse
import json
import pathlib
import re
import sys

import nbformat

HEADING = re.compile(r"^## Self test\s*$", re.MULTILINE)
EXERCISES = re.compile(r"^## Exercises\s*$", re.MULTILINE)
BOLD = re.compile(r"^\*\*(\d+)\.", re.MULTILINE)
LIST_ITEM = re.compile(r"^(\d+)\.\s", re.MULTILINE)
PLACEHOLDER = "**K. "
CHECK = re.compile(r'check\("([^"]+)"')


def _self_test(nb):
    """(index of the markdown cell holding the ``## Self test`` heading, offset of the heading in it)."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return index, match.start()
    return None, None


def _last_number(nb, end, offset):
    """The last exercise number before the self test (0 if none).

    The ``**k.`` prompts of cells tagged ``exercise`` count first; failing those, any ``**k.`` in the
    Exercises section; failing those, its ``k.`` list items outside dropdowns and code.
    """
    tagged = [cell.source for cell in nb.cells[:end] if "exercise" in cell.get("metadata", {}).get("tags", [])]
    numbers = [int(n) for text in tagged for n in BOLD.findall(text)]
    if numbers:
        return max(numbers)
    text = "\n".join(cell.source for cell in nb.cells[:end] if cell.cell_type == "markdown")
    text += "\n" + nb.cells[end].source[:offset]
    start = [m.end() for m in EXERCISES.finditer(text)]
    section = text[start[-1] :] if start else ""
    numbers = [int(n) for n in BOLD.findall(section)]
    if not numbers:
        outside = re.sub(r"^:::\{dropdown\}.*?^:::\s*$|^```.*?^```\s*$", "", section, flags=re.MULTILINE | re.DOTALL)
        numbers = [int(n) for n in LIST_ITEM.findall(outside)]
    return max(numbers, default=0)


def _new_cell(cell):
    tags = list(cell.get("metadata", {}).get("tags", []))
    metadata = {"tags": tags} if tags else {}
    if cell["cell_type"] == "markdown":
        return nbformat.v4.new_markdown_cell(cell["source"], metadata=metadata)
    return nbformat.v4.new_code_cell(cell["source"], metadata=metadata)


def plan(path, exercises):
    """The chapter with the exercises inserted, or a sentence saying why not."""
    nb = nbformat.read(path, as_version=4)
    ids = {m for exercise in exercises for cell in exercise for m in CHECK.findall(cell["source"])}
    present = sorted({m for cell in nb.cells for m in CHECK.findall(cell.source)} & ids)
    if present:
        return None, f"{path} already holds {', '.join(present)}: not inserting twice"
    index, offset = _self_test(nb)
    if index is None:
        return None, f"{path} has no '## Self test' heading"
    number = _last_number(nb, index, offset)
    if offset:  # split the cell at the heading: the text before it stays where it was
        cell = nb.cells[index]
        before, after = cell.source[:offset].rstrip("\n"), cell.source[offset:]
        cell.source = before
        tail = nbformat.v4.new_markdown_cell(after, metadata=json.loads(json.dumps(cell.metadata)))
        nb.cells.insert(index + 1, tail)
        index += 1
    new = []
    for exercise in exercises:
        number += 1
        prompt = exercise[0]["source"]
        if not prompt.startswith(PLACEHOLDER):
            return None, f"an exercise prompt for {path} does not start with {PLACEHOLDER!r}: {prompt[:40]!r}"
        cells = [_new_cell(cell) for cell in exercise]
        cells[0].source = f"**{number}. " + prompt[len(PLACEHOLDER) :]
        new.extend(cells)
    nb.cells[index:index] = new
    return nb, f"{path}: exercises {number - len(exercises) + 1}-{number} inserted before the self test"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default=str(pathlib.Path(__file__).with_name("cells.json")))
    parser.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    args = parser.parse_args(argv)
    chapters = json.loads(pathlib.Path(args.cells).read_text())
    planned, problems = [], []
    for key, exercises in sorted(chapters.items()):
        paths = sorted(pathlib.Path("chapters").glob(f"{key}_*.ipynb"))
        if len(paths) != 1:
            problems.append(f"chapter {key}: expected one chapters/{key}_*.ipynb, found {len(paths)}")
            continue
        nb, message = plan(paths[0], exercises)
        (planned if nb is not None else problems).append((paths[0], nb, message) if nb is not None else message)
    if problems:
        print("nothing inserted:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    for path, nb, message in planned:
        if not args.dry_run:
            nbformat.validate(nb)
            nbformat.write(nb, path)
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
