"""The notebook conventions of issue 14, checked on the stored chapter notebooks.

Static checks: the notebooks are read as JSON, parsed with ``ast`` where code
matters, and never executed, so the whole file runs in seconds.

- Prose lives in markdown cells: no ``Markdown(...)`` of a sentence assembled
  by an f-string, ``str.format`` or ``%``.
- Assertion-only cells (checks) carry the tag ``remove-cell``.
- nbval is steered by cell tags, never by ``# NBVAL_`` comments, and every cell
  tagged ``nbval-check-output`` has an output to compare.
- Light pages: no output above 300 KB, each notebook under 1.5 MB, all of
  ``chapters/`` under 5.5 MB (1 KB = 1,000 bytes).
- Stand-in element ids do not change when an unchanged chapter is re-executed.
- Every name the markdown reads with ``{glue:...}`` is recorded in the outputs.
- No book machinery on the page (issue 23): a cell the reader sees holds no
  ``assert`` and no ``glue(`` call (both belong in ``remove-cell`` cells), no
  ``# noqa`` and no private name (``_foo``); no stored output holds a warning
  or anything written to stderr; the prose names no test file, no
  ``hypothesis`` and no ``make`` target.
- One section numbering: ``# N. Title``, ``## N.k Title`` numbered in order,
  ``### Title`` unnumbered, then ``## Summary``, ``## Exercises``, ``## Self test``.
- Exercises (issue 24): each prompt is a markdown cell tagged ``exercise``,
  ``**k. Title.**`` numbered in order, followed by its solution, every cell of
  which is tagged ``solution``: a ``:::{dropdown} Solution`` markdown cell,
  then executed code cells tagged ``hide-input`` and a ``remove-cell`` cell of
  asserts; or a markdown cell tagged ``solution-not-executed`` that says so.
- The teaching page links every chapter and names every widget.

Each checker returns the offending cells, so a failure lists all of them. The
``test_checker_*`` tests feed each checker a violation and a clean cell, so
none of these checks passes vacuously.
"""

import ast
import json
import pathlib
import re
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from slides import read, source, tags  # noqa: E402  (one notebook reader for the tools and the tests)

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

KB = 1000
MAX_OUTPUT_BYTES = 300 * KB
MAX_NOTEBOOK_BYTES = 1500 * KB
# 5.5 MB: was 5 MB until each chapter gained a self-test quiz, whose output carries
# jupyterquiz's script (about 45 KB, the same in every chapter, which each page needs);
# the widget stand-ins' palette PNGs took the chapters back from 5.8 MB to 5.3 MB.
MAX_CHAPTERS_BYTES = 5500 * KB

CHECK_TAG = "remove-cell"
HIDDEN_SOURCE_TAGS = {CHECK_TAG, "remove-input"}  # the reader sees neither cell's code
COMPARE_TAG = "nbval-check-output"
MARKDOWN_CALLS = {"Markdown", "display_markdown"}
EXERCISE_TAG, SOLUTION_TAG, FOLDED_TAG, NOT_EXECUTED_TAG = "exercise", "solution", "hide-input", "solution-not-executed"


# ---------------------------------------------------------------- helpers


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


def cell_id_problems(nb):
    """Cells without the unique ``id`` that notebook format 4.5 requires (nbformat warns, then refuses)."""
    seen, problems = set(), []
    for index, cell in enumerate(nb["cells"]):
        cell_id = cell.get("id")
        if not cell_id:
            problems.append(f"cell {index} ({cell['cell_type']}) has no id")
        elif cell_id in seen:
            problems.append(f"cell {index} repeats the id {cell_id!r}")
        seen.add(cell_id)
    return problems


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


def _tree(cell):
    """The cell's code parsed with IPython magics and shell lines blanked, or None if it still does not parse."""
    lines = ["" if re.match(r"\s*(%|!(?!=))", line) else line for line in source(cell).splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def visible_code_problems(nb, finds, what, hidden_by=frozenset({CHECK_TAG})):
    """Code cells the reader sees (none of ``hidden_by``) in which ``finds(tree)`` names something."""
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or tags(cell) & hidden_by:
            continue
        tree = _tree(cell)
        found = sorted(set(finds(tree))) if tree is not None else []
        if found:
            problems.append(f"{label(index, cell)} shows {what}: {', '.join(found)}")
    return problems


def _asserts(tree):
    return [f"line {node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)]


def visible_assert_problems(nb):
    """Cells the reader sees (not tagged ``remove-cell``) that hold an ``assert``, even next to other code.

    A check that teaches stays visible as a printed comparison; the assert
    goes into a following ``remove-cell`` cell.
    """
    return visible_code_problems(nb, _asserts, "an assert (move it to a remove-cell cell)")


def _glue_calls(tree):
    return [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == "glue" or getattr(node.func, "attr", None) == "glue")
    ]


def visible_glue_problems(nb):
    """Cells the reader sees that call ``glue(...)``: the calls belong in a following ``remove-cell`` cell."""
    return visible_code_problems(nb, _glue_calls, "glue() calls (move them to a remove-cell cell)")


def _private(name):
    return name.startswith("_") and name != "_" and not (name.startswith("__") and name.endswith("__"))


def _private_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and _private(node.id):
            yield node.id
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            yield "." + node.attr
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and _private(node.name):
            yield node.name
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in modules + [alias.name for alias in node.names]:
                yield from (part for part in name.split(".") if _private(part))


# A private function called or an attribute read in printed code (e.g. a library function's source).
PRINTED_PRIVATE = re.compile(r"(?:(?<![\w.])|\.)_[a-z]\w*(?=\()|\._[a-z]\w*")


def private_name_problems(nb):
    """Cells whose code the reader sees (not ``remove-cell`` or ``remove-input``) that use a private name,
    and printed outputs that show one (a library function's source printed with its private helpers).

    ``_`` (a value thrown away) and dunder names such as ``__name__`` are public.
    """
    problems = visible_code_problems(nb, _private_names, "private names", hidden_by=HIDDEN_SOURCE_TAGS)
    for index, cell, _ in code_cells(nb):
        printed = "".join(_output_text(output) for output in cell.get("outputs", []) if output.get("name") == "stdout")
        found = sorted(set(PRINTED_PRIVATE.findall(printed)))
        if found and CHECK_TAG not in tags(cell):
            problems.append(f"{label(index, cell)} prints private names: {', '.join(found)}")
    return problems


NOQA = re.compile(r"#\s*noqa\b", re.I)


def noqa_problems(nb):
    """Cells whose code the reader sees that carry a ``# noqa`` linter comment."""
    return [
        f"{label(index, cell)} has a '# noqa' comment: fix what the linter reports instead"
        for index, cell, _ in code_cells(nb)
        if not tags(cell) & HIDDEN_SOURCE_TAGS and NOQA.search(source(cell))
    ]


# A Python warning class (UserWarning, FutureWarning, ...), or a logging line at WARNING level (TensorFlow, absl).
WARNING_TEXT = re.compile(r"\b[A-Z][A-Za-z]*Warning\b|^\s*(?:WARNING|W\d{4} )", re.M)


def _output_text(output):
    if output["output_type"] == "stream":
        text = output.get("text", "")
    else:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def stored_warning_problems(nb):
    """Stored outputs written to stderr or holding a warning: fix the cause, or silence that warning in a hidden cell."""
    problems = []
    for index, cell, _ in code_cells(nb):
        if "catch_warnings(record=True)" in source(cell):
            continue  # the cell records a warning to show it: the warning is the lesson
        for output in cell.get("outputs", []):
            text = _output_text(output)
            if output.get("name") == "stderr":
                problems.append(f"{label(index, cell)} stores stderr output: {text.strip()[:80]!r}")
            elif match := WARNING_TEXT.search(text):
                line = text[match.start() :].strip().splitlines()[0]
                problems.append(f"{label(index, cell)} stores a warning: {line[:80]!r}")
    return problems


def _make_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, re.M)), key=len, reverse=True)


PROSE_MACHINERY = re.compile(
    r"\btests/[\w/.-]*|\btest_\w+\.py\b"  # test files
    r"|`hypothesis`|\bhypothesis (?:library|package|strategies)\b|\bproperty-based\b"  # the testing library
    r"|\bmake (?:" + "|".join(map(re.escape, _make_targets())) + r")(?![\w-])",  # make targets
    re.I,
)


def prose_machinery_problems(nb):
    """Markdown cells that name a test file, the ``hypothesis`` library or a ``make`` target.

    The reader of a chapter learns about CNNs, not about the book's build; the
    teaching page (for instructors) is not checked.
    """
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            found = sorted({match.group(0) for match in PROSE_MACHINERY.finditer(source(cell))})
            if found:
                problems.append(f"markdown cell {index} names book machinery: {', '.join(found)}")
    return problems


END_SECTIONS = ("Summary", "Exercises", "Self test")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def headings(nb):
    """(cell index, level, title) of every markdown heading, fenced code blocks skipped."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in source(cell).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and (match := HEADING.match(line)):
                found.append((index, len(match.group(1)), match.group(2)))
    return found


def chapter_number(nb):
    """N of the title ``# N. Title``, or None for a page without a numbered title (the teaching page)."""
    titles = [title for _, level, title in headings(nb) if level == 1]
    match = re.match(r"(\d+)\. \S", titles[0]) if titles else None
    return int(match.group(1)) if match else None


def section_numbering_problems(nb):
    """Headings off the one numbering: ``# N. Title``, ``## N.k Title`` (k = 1, 2, ...), ``### Title``, and at
    the end ``## Summary``, ``## Exercises``, ``## Self test`` in that order. Pages without ``# N.`` are skipped."""
    number = chapter_number(nb)
    if number is None:
        return []
    problems, expected, ends = [], 1, []
    for index, level, title in headings(nb):
        where = f"markdown cell {index} heading {'#' * level} {title!r}"
        if level == 1:
            if not title.startswith(f"{number}. ") or index != headings(nb)[0][0]:
                problems.append(f"{where}: one title per chapter, '# {number}. Title', first")
        elif level == 2:
            if title in END_SECTIONS:
                ends.append(title)
                continue
            match = re.match(r"(\d+)\.(\d+) \S", title)
            if ends:
                problems.append(f"{where}: numbered sections come before {ends[0]!r}")
            elif not match or (int(match.group(1)), int(match.group(2))) != (number, expected):
                problems.append(f"{where}: expected '## {number}.{expected} Title'")
            expected += 1
        elif re.match(r"\d+(\.\d+)*\.? ", title):
            problems.append(f"{where}: headings below '##' are unnumbered")
    if ends != list(END_SECTIONS):
        problems.append(f"the closing sections are {ends}; expected {list(END_SECTIONS)}, in that order, at the end")
    return problems


EXERCISE_PROMPT = re.compile(r"\*\*(\d+)\. [^*\n]+[.?]\*\*")  # **k. Title.** (or a question)
DROPDOWN = re.compile(r"^:::\{dropdown\} Solution\s*$.*^:::\s*$", re.M | re.S)


def exercise_problems(nb):
    """Exercises off the convention of issue 24 (numbered pages only).

    Every exercise is a markdown cell tagged ``exercise`` that starts with
    ``**k. Title.**`` (k = 1, 2, ...) and gives nothing away (no dropdown). It
    may be followed by untagged code cells where students answer through
    ``check(...)`` (``cnnbook.exercises``). The cells after those, all tagged
    ``solution``, are its solution: a
    markdown cell with a ``:::{dropdown} Solution`` ... ``:::`` block, and either
    executed code cells tagged ``hide-input`` plus a ``remove-cell`` cell of
    asserts, or a markdown cell tagged ``solution-not-executed`` that says
    "not executed". A ``solution`` cell anywhere else, and an old-style prompt
    ``**k.`` in the Exercises section outside an ``exercise`` cell, are errors.
    A chapter without exercises fails too.
    """
    if chapter_number(nb) is None:
        return []
    cells, problems, count = nb["cells"], [], 0
    section, titles = None, headings(nb)
    for index, cell in enumerate(cells):
        for _, level, title in (entry for entry in titles if entry[0] == index):
            if level <= 2:
                section = title
        cell_tags, text = tags(cell), source(cell)
        if EXERCISE_TAG in cell_tags:
            count += 1
            where = f"exercise cell {index}"
            match = EXERCISE_PROMPT.match(text.lstrip())
            if cell["cell_type"] != "markdown" or not match:
                problems.append(f"{where}: a markdown cell starting '**{count}. Title.**'")
            elif int(match.group(1)) != count:
                problems.append(f"{where} is numbered {match.group(1)}; expected {count}")
            if ":::{dropdown}" in text or SOLUTION_TAG in cell_tags:
                problems.append(f"{where} gives its solution away: the solution goes into cells tagged 'solution'")
            block = []
            rest = cells[index + 1 :]
            while rest and _is_answer_cell(rest[0]):
                rest = rest[1:]
            for following in rest:
                if SOLUTION_TAG not in tags(following) or EXERCISE_TAG in tags(following):
                    break
                block.append(following)
            problems += [f"{where}: {problem}" for problem in _solution_problems(block)]
        elif SOLUTION_TAG in cell_tags:
            before = [c for c in cells[:index] if not _is_answer_cell(c)]
            previous = before[-1] if before else {}
            if not ({SOLUTION_TAG, EXERCISE_TAG} & tags(previous)):
                problems.append(f"cell {index} is tagged 'solution' but follows no exercise")
        elif section == "Exercises" and cell["cell_type"] == "markdown" and re.search(r"^\*\*\d+\.", text, re.M):
            problems.append(f"markdown cell {index} holds an exercise prompt that is not a cell tagged 'exercise'")
    if count == 0:
        problems.append("the chapter has no cell tagged 'exercise'")
    return problems


def _is_answer_cell(cell):
    """An untagged code cell where a student answers an exercise: ``check("id", my_answer)``."""
    return cell["cell_type"] == "code" and not tags(cell) and re.search(r"\bcheck\(", source(cell)) is not None


def _solution_problems(block):
    """What the solution cells of one exercise lack."""
    markdown = [cell for cell in block if cell["cell_type"] == "markdown"]
    code = [cell for cell in block if cell["cell_type"] == "code"]
    problems = []
    if not any(DROPDOWN.search(source(cell)) for cell in markdown):
        problems.append("no solution markdown cell with ':::{dropdown} Solution' ... ':::'")
    not_executed = [cell for cell in markdown if NOT_EXECUTED_TAG in tags(cell)]
    if not_executed:
        if not any(re.search(r"not executed", source(cell), re.I) for cell in not_executed):
            problems.append(f"the cell tagged {NOT_EXECUTED_TAG!r} does not say that the solution is not executed")
        return problems
    shown = [cell for cell in code if FOLDED_TAG in tags(cell)]
    checks = [cell for cell in code if CHECK_TAG in tags(cell)]
    if not shown:
        problems.append(f"no solution code cell tagged {FOLDED_TAG!r}")
    if not any(tree is not None and _asserts(tree) for tree in map(_tree, checks)):
        problems.append(f"no {CHECK_TAG!r} solution cell with an assert checking the answer")
    for cell in code:
        if not ({FOLDED_TAG, CHECK_TAG} & tags(cell)):
            problems.append(f"solution code cell {label(0, cell)[7:]} is neither {FOLDED_TAG!r} nor {CHECK_TAG!r}")
        if cell.get("execution_count") is None:
            problems.append(f"solution code cell {label(0, cell)[7:]} was not executed")
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
    "every cell has a unique id": (
        cell_id_problems,
        "add an id (8 hex digits) to each new cell; nbformat.validator.normalize does it",
    ),
    "no assert in a visible cell": (visible_assert_problems, ""),
    "no glue() in a visible cell": (visible_glue_problems, ""),
    "no private names in visible code": (private_name_problems, ""),
    "no linter comments": (noqa_problems, ""),
    "no warnings in stored outputs": (
        stored_warning_problems,
        "fix the warning's cause, or silence that one warning (warnings.filterwarnings, a logger's level) in a "
        "remove-cell cell, and re-execute the chapter",
    ),
    "one section numbering": (section_numbering_problems, ""),
    "exercises with executed, checked solutions": (
        exercise_problems,
        "see the exercise convention in README.md (tags exercise, solution, hide-input, remove-cell, "
        "solution-not-executed)",
    ),
}

#: Conventions for the chapters' readers only (the teaching page is for instructors).
CHAPTER_ONLY = {
    "no book machinery in the prose": (prose_machinery_problems, ""),
}


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_convention(path, convention):
    checker, advice = CONVENTIONS[convention]
    problems = checker(read(path))
    assert not problems, (advice + "\n" if advice else "") + failure(path, problems)


@pytest.mark.parametrize("convention", CHAPTER_ONLY)
@pytest.mark.parametrize("path", [path for path in CHAPTERS if path.stem[:2].isdigit()], ids=lambda p: p.name)
def test_chapter_follows_reader_convention(path, convention):
    checker, advice = CHAPTER_ONLY[convention]
    problems = checker(read(path))
    assert not problems, (advice + "\n" if advice else "") + failure(path, problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_title_matches_its_file(path):
    number = chapter_number(read(path))
    expected = int(path.stem[:2]) if path.stem[:2].isdigit() else None
    assert number == expected, f"{path.name} is titled as chapter {number}; its file name says {expected}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_under_1_5_mb(path):
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size / KB:,.0f} KB (limit {MAX_NOTEBOOK_BYTES / KB:,.0f} KB); largest outputs:\n  "
        + "\n  ".join(large_output_problems(read(path), limit=50 * KB)[:10])
    )


def test_all_chapters_together_under_6_mb():
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


def test_checker_cell_ids():
    cells = [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "x"},
        {"cell_type": "markdown", "metadata": {}, "source": "y"},
        {"cell_type": "code", "id": "a1", "metadata": {}, "source": "z", "outputs": []},
    ]
    assert cell_id_problems({"cells": cells[:1]}) == []
    assert cell_id_problems({"cells": cells}) == ["cell 1 (markdown) has no id", "cell 2 repeats the id 'a1'"]


def markdown(text, cell_tags=()):
    return {"cell_type": "markdown", "source": text, "metadata": {"tags": list(cell_tags)}}


def test_checker_visible_asserts_and_glue():
    for text in ["x = f(1)\nassert x == 2", "for v in values:\n    assert v > 0\nprint(values)", "%%time\nassert a"]:
        assert len(visible_assert_problems(notebook(code(text)))) == 1, text
        assert len(visible_assert_problems(notebook(code(text, ["hide-input"])))) == 1, text
        assert visible_assert_problems(notebook(code(text, [CHECK_TAG]))) == [], text
    clean = ['print("same as TensorFlow:", np.allclose(ours, theirs))', "# assert nothing here\nx = 1"]
    for text in clean:
        assert visible_assert_problems(notebook(code(text))) == [], text
    for text in ['glue("acc", acc)', "book.glue('acc', 0.9)\nprint(acc)"]:
        assert len(visible_glue_problems(notebook(code(text)))) == 1, text
        assert visible_glue_problems(notebook(code(text, [CHECK_TAG]))) == [], text
    assert visible_glue_problems(notebook(code("from cnnbook.book import glue, table\nglued = 3"))) == []


def test_checker_private_names_and_noqa():
    bad = [
        "from cnnbook.conv import _check_memory",
        "x = conv._prepare(a, b)",
        "from cnnbook.widgets._media import animation_html",
        "_cache = {}",
        "def _helper():\n    pass",
        "model._layers",
    ]
    good = ["_, drawing = daisy(x, visualize=True)", "if __name__ == '__main__':\n    pass", "obj.__class__.__name__"]
    for text in bad:
        assert len(private_name_problems(notebook(code(text)))) == 1, text
        assert private_name_problems(notebook(code(text, ["remove-input"]))) == [], text
    for text in good:
        assert private_name_problems(notebook(code(text))) == [], text

    def printed(text):
        return code("print(source)", outputs=[{"output_type": "stream", "name": "stdout", "text": text}])

    assert len(private_name_problems(notebook(printed("x, k = _prepare(x, k)\n_check_memory(shape)")))) == 1
    assert len(private_name_problems(notebook(printed("w = model._layers")))) == 1
    assert private_name_problems(notebook(printed("layer conv2d_1 output (None, 26, 26, 8)\n_build/html"))) == []
    assert len(noqa_problems(notebook(code("f = lambda x: x  # noqa: E731")))) == 1
    assert noqa_problems(notebook(code("f = lambda x: x  # noqa", [CHECK_TAG]))) == []
    assert noqa_problems(notebook(code("def f(x):\n    return x"))) == []


def test_checker_stored_warnings():
    def stream(text, name="stdout"):
        return {"output_type": "stream", "name": name, "text": text}

    retracing = "WARNING:tensorflow:5 out of the last 5 calls to <function ...> triggered tf.function retracing."
    bad = [
        stream(retracing),
        stream("/lib/python3.11/site-packages/sklearn/x.py:12: FutureWarning: the default will change\n", "stderr"),
        stream("anything at all", "stderr"),
        stream("accuracy 0.97\nUserWarning: Glyph 8722 missing\n"),
        {"output_type": "execute_result", "metadata": {}, "data": {"text/plain": "RuntimeWarning('overflow')"}},
    ]
    for output in bad:
        assert len(stored_warning_problems(notebook(code("run()", outputs=[output])))) == 1, output
    good = [
        stream("The shifted digit warns us: pixel distance is fragile.\n"),
        stream("training digits: (4000, 28, 28) uint8\n"),
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "AAAA", "text/plain": "<Figure>"}},
    ]
    assert stored_warning_problems(notebook(code("run()", outputs=good))) == []
    shown = "with warnings.catch_warnings(record=True) as caught:\n    build()\nprint(caught[0].message)"
    assert stored_warning_problems(notebook(code(shown, outputs=[stream("UserWarning: Do not pass ...")]))) == []


def test_checker_prose_machinery():
    bad = [
        "The unit tests (`tests/test_grad.py`) check it.",
        "See test_conv.py for the cases.",
        "random shapes drawn by `hypothesis`",
        "The book's benchmark (`make bench`) times a layer.",
        "run make test-lib first",
    ]
    good = [
        "McNemar's test asks how likely the null hypothesis makes such a split.",
        "Pooling and stacking make later layers depend less on exact pixels.",
        "Does pooling make a CNN shift-invariant? We test it on shifted digits.",
        "1,000 digits make 10 steps of 100.",
    ]
    for text in bad:
        assert len(prose_machinery_problems(notebook(markdown(text)))) == 1, text
    for text in good:
        assert prose_machinery_problems(notebook(markdown(text))) == [], text


def test_checker_section_numbering():
    def page(*titles):
        return notebook(*(markdown(title + "\n\nText.") for title in titles))

    end = ("## Summary", "## Exercises", "## Self test")
    good = page("# 3. Anatomy", "## 3.1 Filters", "### A detail", "## 3.2 Pooling", *end)
    assert section_numbering_problems(good) == []
    assert section_numbering_problems(page("# Teaching with this book", "## Before class")) == []
    bad = [
        page("# 3. Anatomy", "## Filters", "## 3.2 Pooling", *end),  # one unnumbered section
        page("# 3. Anatomy", "## 3.1 Filters", "## 3.3 Pooling", *end),  # a number skipped
        page("# 3. Anatomy", "## 4.1 Filters", *end),  # another chapter's number
        page("# 3. Anatomy", "## 3.1 Filters", "### 3.1.1 A detail", *end),  # numbered below ##
        page("# 3. Anatomy", "## 3.1 Filters", "## Summary", "## 3.2 Late", "## Exercises", "## Self test"),
        page("# 3. Anatomy", "## 3.1 Filters", "## Summary", "## Self test"),  # no Exercises
    ]
    for nb in bad:
        assert len(section_numbering_problems(nb)) == 1, [source(cell) for cell in nb["cells"]]
    fenced = notebook(
        markdown("# 3. Anatomy\n```python\n# a comment, not a heading\n```"), *page("## 3.1 A", *end)["cells"]
    )
    assert section_numbering_problems(fenced) == []
    assert chapter_number(good) == 3 and chapter_number(page("# Teaching with this book")) is None


def test_checker_exercises():
    head = [markdown("# 3. Anatomy"), markdown("## Exercises")]

    def executed(text, cell_tags):
        return dict(code(text, cell_tags), execution_count=1)

    def solution(number=1):
        return [
            markdown(f"**{number}. Count the filters.** The answer is a number.", [EXERCISE_TAG]),
            markdown(":::{dropdown} Solution\nThere are 8.\n:::", [SOLUTION_TAG]),
            executed("filters = model.layers[0].filters\nprint(filters)", [SOLUTION_TAG, FOLDED_TAG]),
            executed("assert filters == 8", [SOLUTION_TAG, CHECK_TAG]),
        ]

    not_executed = [
        markdown("**1. Train on all of MNIST.** Expect about 99%.", [EXERCISE_TAG]),
        markdown(
            ":::{dropdown} Solution\nNot executed here: it takes 20 minutes. A run on ... gave 99.1%.\n:::",
            [SOLUTION_TAG, NOT_EXECUTED_TAG],
        ),
    ]
    assert exercise_problems(notebook(*head, *solution(1), *solution(2), markdown("## Self test"))) == []
    assert exercise_problems(notebook(*head, *not_executed)) == []
    assert exercise_problems(notebook(markdown("# Teaching with this book"))) == []
    ex, dropdown, shown, check = solution()
    answer = code('my_answer = ...  # your answer\ncheck("filter-count", my_answer)')
    assert exercise_problems(notebook(*head, ex, answer, dropdown, shown, check)) == []
    bad = {
        "no exercises": [],
        "old style prompt": [*solution(), markdown("**2. Count.** How many?\n\n:::{dropdown} Solution\n8\n:::")],
        "misnumbered": [*solution(2)],
        "answer in the prompt": [
            dict(ex, source=ex["source"] + "\n:::{dropdown} Solution\n8\n:::"),
            dropdown,
            shown,
            check,
        ],
        "no dropdown": [ex, markdown("There are 8.", [SOLUTION_TAG]), shown, check],
        "no shown code": [ex, dropdown, check],
        "no assert": [ex, dropdown, shown, executed("print(filters)", [SOLUTION_TAG, CHECK_TAG])],
        "check not tagged solution": [ex, dropdown, shown, executed("assert filters == 8", [CHECK_TAG])],
        "not executed": [ex, dropdown, dict(shown, execution_count=None), check],
        "code neither folded nor hidden": [ex, dropdown, shown, executed("x = 1", [SOLUTION_TAG]), check],
        "stray solution": [*solution(), markdown("Text."), markdown("More.", [SOLUTION_TAG])],
        "not executed unsaid": [not_executed[0], dict(not_executed[1], source=":::{dropdown} Solution\nSlow.\n:::")],
    }
    for name, cells in bad.items():
        assert len(exercise_problems(notebook(*head, *cells))) == 1, (name, exercise_problems(notebook(*head, *cells)))


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
