"""The notebook conventions of issue 14, checked on the stored chapter notebooks.

Static checks: the notebooks are read as JSON, parsed with ``ast`` where code
matters, and never executed, so the whole file runs in seconds.

- Prose lives in markdown cells: no ``Markdown(...)`` of a sentence assembled
  by an f-string, ``str.format`` or ``%``.
- Assertion-only cells (checks) carry the tag ``remove-cell``.
- nbval is steered by cell tags, never by ``# NBVAL_`` comments, and every cell
  tagged ``nbval-check-output`` has an output to compare.
- Light pages: no output above 300 KB, each notebook under 1.5 MB, all of
  ``chapters/`` under 5 MB (1 KB = 1,000 bytes).
- Stand-in element ids do not change when an unchanged chapter is re-executed.
- Every name the markdown reads with ``{glue:...}`` is recorded in the outputs.
- The teaching page links every chapter and names every widget.

Each checker returns the offending cells, so a failure lists all of them. The
``test_checker_*`` tests feed each checker a violation and a clean cell, so
none of these checks passes vacuously.
"""

import ast
import json
import pathlib
import re

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

KB = 1000
MAX_OUTPUT_BYTES = 300 * KB
MAX_NOTEBOOK_BYTES = 1500 * KB
MAX_CHAPTERS_BYTES = 5000 * KB

CHECK_TAG = "remove-cell"
COMPARE_TAG = "nbval-check-output"
MARKDOWN_CALLS = {"Markdown", "display_markdown"}


# ---------------------------------------------------------------- helpers


def read(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


def source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def code_cells(nb):
    """(index, cell, parsed tree or None) of every code cell; IPython magics parse as None."""
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(source(cell))
        except SyntaxError:
            tree = None
        yield index, cell, tree


def label(index, cell):
    first = next((line.strip() for line in source(cell).splitlines() if line.strip()), "")
    return f"cell {index} ({first[:60]!r})"


def output_bytes(output):
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def html_of(output):
    html = output.get("data", {}).get("text/html")
    if html is None:
        return ""
    return "".join(html) if isinstance(html, list) else html


# ---------------------------------------------------------------- checkers


def _literal_text(node):
    """The constant text of a formatted string expression, or None if it is not one."""
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return node.func.value.value
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        return node.left.value
    return None


def formatted_markdown_problems(nb):
    """Cells that hand ``Markdown`` text built by string formatting.

    Prose belongs in markdown cells (numbers glued or checked), and computed
    tables go through ``cnnbook.book.table``, so no code cell formats Markdown.
    The argument is followed through names assigned, or appended to, in the
    same cell; a constant string passes.
    """
    problems = []
    for index, cell, tree in code_cells(nb):
        if tree is None:
            continue
        assigned = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "extend", "insert")
                and isinstance(node.func.value, ast.Name)
            ):
                assigned.setdefault(node.func.value.id, []).extend(node.args)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in MARKDOWN_CALLS:
                continue
            pending, seen, formatted = [node.args[0]], set(), None
            while pending and formatted is None:
                for sub in ast.walk(pending.pop()):
                    text = _literal_text(sub)
                    if text is not None:
                        formatted = text
                        break
                    if isinstance(sub, ast.Name) and sub.id in assigned and sub.id not in seen:
                        seen.add(sub.id)
                        pending.extend(assigned[sub.id])
            if formatted is not None:
                problems.append(f"{label(index, cell)} formats Markdown for {name}(): {formatted.strip()[:60]!r}")
    return problems


_SILENT = (ast.Import, ast.ImportFrom, ast.Delete, ast.Pass)


def _only_checks(statements):
    """True if the statements are asserts, possibly with imports/del or inside a for loop."""
    has_assert = False
    for statement in statements:
        if isinstance(statement, ast.Assert):
            has_assert = True
        elif isinstance(statement, ast.For) and not statement.orelse and _only_checks(statement.body):
            has_assert = True
        elif not isinstance(statement, _SILENT):
            return False
    return has_assert


def visible_check_problems(nb):
    """Assertion-only code cells (comments, imports and ``del`` aside) without the tag ``remove-cell``.

    Only ``remove-cell`` counts: it is the one tag that removes the cell from
    the HTML page entirely, while the build and nbval still execute it.
    """
    return [
        f"{label(index, cell)} holds only asserts; tag it {CHECK_TAG!r}"
        for index, cell, tree in code_cells(nb)
        if tree is not None and _only_checks(tree.body) and CHECK_TAG not in tags(cell)
    ]


NBVAL_COMMENT = re.compile(r"#\s*NBVAL_[A-Z_]+")


def nbval_comment_problems(nb):
    """Code cells steering nbval with a ``# NBVAL_...`` comment the reader would see."""
    problems = []
    for index, cell, _ in code_cells(nb):
        markers = sorted(set(NBVAL_COMMENT.findall(source(cell))))
        if markers:
            problems.append(f"{label(index, cell)} has {', '.join(markers)}: use a cell tag instead")
    return problems


def compared_without_output_problems(nb):
    """Cells tagged ``nbval-check-output`` whose stored outputs are empty (nothing to compare)."""
    return [
        f"{label(index, cell)} is tagged {COMPARE_TAG!r} but has no stored output"
        for index, cell, _ in code_cells(nb)
        if COMPARE_TAG in tags(cell) and not cell.get("outputs")
    ]


def large_output_problems(nb, limit=MAX_OUTPUT_BYTES):
    """Outputs whose JSON is larger than ``limit`` bytes."""
    problems = []
    for index, cell, _ in code_cells(nb):
        for number, output in enumerate(cell.get("outputs", [])):
            size = output_bytes(output)
            if size > limit:
                kinds = ", ".join(sorted(output.get("data", {}))) or output["output_type"]
                problems.append(
                    f"{label(index, cell)} output {number} ({kinds}) is {size / KB:,.0f} KB "
                    f"(limit {limit / KB:,.0f} KB)"
                )
    return problems


# A uuid4 (dashed or as 32 hex digits): random per run, so every re-execution rewrites the notebook.
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}", re.I)
HTML_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")


def stand_in_id_problems(nb):
    """Element ids in HTML outputs that are uuids or that repeat within the page.

    A repeated id breaks the page's ``getElementById`` (two stand-ins would
    drive one player); a uuid changes on every run. Ids derived from content
    (a hash of the frames) or from a counter pass. That the id generator is
    deterministic is checked on the library in ``test_animation_html_is_deterministic``.
    """
    problems, first_seen = [], {}
    for index, cell, _ in code_cells(nb):
        for output in cell.get("outputs", []):
            for element_id in HTML_ID.findall(html_of(output)):
                if UUID.search(element_id):
                    problems.append(f"{label(index, cell)} has a random (uuid) element id {element_id!r}")
                if element_id in first_seen and first_seen[element_id] != index:
                    problems.append(
                        f"{label(index, cell)} repeats element id {element_id!r} of cell {first_seen[element_id]}"
                    )
                first_seen.setdefault(element_id, index)
    return problems


GLUE_REFERENCE = re.compile(r"\{glue(?::[a-z]+)?\}(?:`|[ \t]+)([^`:\s]+)")


def glue_problems(nb):
    """Names the markdown reads with ``{glue...}`` that no stored output records.

    The book build fails on such a name; in the stored notebook it means the
    outputs are stale (the chapter was edited but not re-executed).
    """
    recorded = {
        output.get("metadata", {}).get("scrapbook", {}).get("name")
        for _, cell, _ in code_cells(nb)
        for output in cell.get("outputs", [])
    }
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            missing = sorted(set(GLUE_REFERENCE.findall(source(cell))) - recorded)
            if missing:
                problems.append(
                    f"markdown cell {index} reads glued {', '.join(missing)}, which no stored output "
                    "records (glue it with cnnbook.book.glue and re-execute the notebook)"
                )
    return problems


def failure(path, problems):
    return f"{path.name}: {len(problems)} cell(s)\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- the chapters


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found in chapters/"


#: Each convention: the checker that finds the cells breaking it, and the advice a failure gives.
CONVENTIONS = {
    "no Markdown built by string formatting": (
        formatted_markdown_problems,
        "write prose in a markdown cell; glue numbers (cnnbook.book.glue + {glue:text}) or type them and "
        "check them in a remove-cell cell; show computed tables with cnnbook.book.table(rows, formats=...)",
    ),
    "glued numbers are recorded": (glue_problems, ""),
    "assertion-only cells are hidden": (visible_check_problems, ""),
    "no nbval comment markers": (nbval_comment_problems, ""),
    "compared cells have outputs": (compared_without_output_problems, ""),
    "no output above 300 KB": (
        large_output_problems,
        "store photos as JPEG or downsized, figures at modest dpi",
    ),
    "stand-in ids are not random and unique": (stand_in_id_problems, ""),
}


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_convention(path, convention):
    checker, advice = CONVENTIONS[convention]
    problems = checker(read(path))
    assert not problems, (advice + "\n" if advice else "") + failure(path, problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_under_1_5_mb(path):
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size / KB:,.0f} KB (limit {MAX_NOTEBOOK_BYTES / KB:,.0f} KB); largest outputs:\n  "
        + "\n  ".join(large_output_problems(read(path), limit=50 * KB)[:10])
    )


def test_all_chapters_together_under_5_mb():
    sizes = {path.name: path.stat().st_size for path in CHAPTERS}
    total = sum(sizes.values())
    listing = ", ".join(
        f"{name} {size / KB:,.0f} KB" for name, size in sorted(sizes.items(), key=lambda item: -item[1])
    )
    assert total <= MAX_CHAPTERS_BYTES, (
        f"chapters/ holds {total / KB:,.0f} KB of notebooks (limit {MAX_CHAPTERS_BYTES / KB:,.0f} KB): {listing}"
    )


def test_animation_html_is_deterministic():
    """The same frames give the same stand-in (re-execution changes nothing); other frames another id."""
    from cnnbook.widgets._media import animation_html

    frames = [np.full((8, 8, 3), value, dtype=np.uint8) for value in (0, 128, 255)]
    first = animation_html(frames, title="steps")
    assert animation_html(frames, title="steps") == first
    other = animation_html(frames[::-1], title="steps")
    ids, other_ids = HTML_ID.findall(first), HTML_ID.findall(other)
    if ids or other_ids:
        assert not set(ids) & set(other_ids), f"two different animations share element ids {set(ids) & set(other_ids)}"


# ---------------------------------------------------------------- the checkers catch what they should


def notebook(*cells):
    return {"cells": list(cells)}


def code(text, cell_tags=(), outputs=()):
    return {"cell_type": "code", "source": text, "metadata": {"tags": list(cell_tags)}, "outputs": list(outputs)}


def test_checker_formatted_markdown():
    bad = [
        'display(Markdown(f"The CNN reaches {acc:.1%} on the test set."))',
        'text = f"With {n} labels the features win. "\ntext += "More."\nMarkdown(text)',
        'Markdown("Accuracy is {} in this run.".format(acc))',
        'IPython.display.Markdown("It took %d seconds here." % t)',
        'lines = [f"| {name} | {value:.1f} |" for name, value in rows]\ndisplay(Markdown("\\n".join(lines)))',
        'lines = ["| a |", "|---|"]\nfor v in values:\n    lines.append(f"| {v} |")\nMarkdown("\\n".join(lines))',
    ]
    good = [
        "table(rows, formats={'accuracy': '.1%'})",
        "training.results_table(rows)",
        'Markdown("*No benchmark recorded yet.*")',
        'print(f"The CNN reaches {acc:.1%}.")',
        "%timeit conv2d(x, k)",
    ]
    for text in bad:
        assert len(formatted_markdown_problems(notebook(code(text)))) == 1, text
    for text in good:
        assert formatted_markdown_problems(notebook(code(text))) == [], text


def test_checker_glue():
    prefix = "application/papermill.record/"  # what myst-nb reads (and cnnbook.book.glue writes)
    recorded = {
        "output_type": "display_data",
        "data": {prefix + "text/plain": "0.97"},
        "metadata": {"scrapbook": {"name": "acc_cnn", "mime_prefix": prefix}},
    }
    text = {"cell_type": "markdown", "metadata": {}, "source": "The CNN reaches {glue:text}`acc_cnn:.1%`."}
    assert glue_problems(notebook(code('glue("acc_cnn", acc)', outputs=[recorded]), text)) == []
    assert len(glue_problems(notebook(code('glue("acc_cnn", acc)'), text))) == 1
    directive = {"cell_type": "markdown", "metadata": {}, "source": "```{glue:figure} curves\n```"}
    assert len(glue_problems(notebook(code("plot()"), directive))) == 1


def test_checker_visible_checks():
    bad = [
        "assert a == b",
        "# the claim of the text\nassert a > b, 'why'\n\nassert c",
        "import numpy as np\nassert np.allclose(a, b)\ndel a",
        "for shift in shifts:\n    assert ok(shift)",
    ]
    good = ["x = 1\nassert x == 1", "assert a\nprint(a)", "import numpy as np", "# nothing\n", "%%time\nassert a"]
    for text in bad:
        assert len(visible_check_problems(notebook(code(text)))) == 1, text
        assert visible_check_problems(notebook(code(text, [CHECK_TAG]))) == [], text
        assert len(visible_check_problems(notebook(code(text, ["remove-input"])))) == 1, text
    for text in good:
        assert visible_check_problems(notebook(code(text))) == [], text


def test_checker_nbval_comments_and_compared_outputs():
    assert len(nbval_comment_problems(notebook(code("# NBVAL_CHECK_OUTPUT\nprint(1)")))) == 1
    assert len(nbval_comment_problems(notebook(code("print(1)  #NBVAL_SKIP")))) == 1
    assert nbval_comment_problems(notebook(code("print(1)", [COMPARE_TAG]))) == []
    stream = {"output_type": "stream", "name": "stdout", "text": "1\n"}
    assert len(compared_without_output_problems(notebook(code("x = 1", [COMPARE_TAG])))) == 1
    assert compared_without_output_problems(notebook(code("print(1)", [COMPARE_TAG], [stream]))) == []


def test_checker_sizes_and_ids():
    small = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * 1000}}
    big = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (MAX_OUTPUT_BYTES + 1)}}
    assert large_output_problems(notebook(code("show()", outputs=[small]))) == []
    assert len(large_output_problems(notebook(code("show()", outputs=[small, big])))) == 1

    def html(element_id):
        return {"output_type": "display_data", "metadata": {}, "data": {"text/html": f'<div id="{element_id}"></div>'}}

    random_id = "cnnbook-anim-3f2b9c1e4d6a4b8f9e0a1b2c3d4e5f60"
    assert len(stand_in_id_problems(notebook(code("w", outputs=[html(random_id)])))) == 1
    assert len(stand_in_id_problems(notebook(code("a", outputs=[html("x1")]), code("b", outputs=[html("x1")])))) == 1
    assert (
        stand_in_id_problems(notebook(code("a", outputs=[html("anim-9e1f0c")]), code("b", outputs=[html("x2")]))) == []
    )


# ---------------------------------------------------------------- the teaching page


def test_teaching_plan_links_every_chapter_and_names_every_widget():
    from cnnbook.widgets import ALL_WIDGETS

    nb = read(ROOT / "chapters" / "teaching.ipynb")
    text = "\n".join(source(cell) for cell in nb["cells"] if cell["cell_type"] == "markdown")
    chapters = [path.stem for path in CHAPTERS if path.stem != "teaching"]
    unlinked = [stem for stem in chapters if f"{{doc}}`{stem}`" not in text]
    unnamed = [cls.__name__ for cls in ALL_WIDGETS.values() if f"`{cls.__name__}`" not in text]
    assert not unlinked and not unnamed, f"teaching.ipynb's plan misses chapters {unlinked} and widgets {unnamed}"
    # Every minute in the plan is glued from the benchmark, one key per chapter number.
    keys = set(re.findall(r"\{glue:text\}`minutes_(\d\d)", text))
    assert keys == {stem[:2] for stem in chapters}, keys
