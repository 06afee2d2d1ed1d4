"""The student edition and the graded assignments (tools/editions.py).

A small notebook written here stands for a chapter: two exercises, one with an
executed solution and a hidden check, one whose solution is not executed. The
real chapters are checked for what the student edition must never show.
"""

import importlib.util
import json
import pathlib

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("editions", ROOT / "tools" / "editions.py")
editions = importlib.util.module_from_spec(spec)
spec.loader.exec_module(editions)


def cell(kind, text, *tags):
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}[kind]
    return make(text, metadata={"tags": list(tags)} if tags else {})


def chapter():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        cell("markdown", "# 0. A chapter"),
        cell("code", "x = [1, 2, 3, 4]"),
        cell("markdown", "## Exercises"),
        cell("markdown", "**1. Sum.** Store the sum of `x` in `total`; it is a number above 5.", "exercise"),
        cell("markdown", ":::{dropdown} Solution\nAdd the four numbers up.\n:::", "solution"),
        cell("code", "total = sum(x)\nprint(total)", "solution", "hide-input"),
        cell("code", "assert total == 10", "solution", "remove-cell"),
        cell("markdown", "**2. By hand.** What is the largest entry of `x`?", "exercise"),
        cell("markdown", "Not executed: reading it off gives four.", "solution", "solution-not-executed"),
        cell("markdown", "## Self test"),
    ]
    return nb


def test_solution_lines_are_those_only_the_solutions_hold():
    nb = chapter()
    nb.cells[1].source += "\nprint('a line the main text and a solution share')"
    nb.cells[5].source += "\nprint('a line the main text and a solution share')"
    assert editions.solution_lines(nb) == {"Not executed: reading it off gives four."}


def test_student_notebook_drops_exactly_the_solution_cells():
    nb = chapter()
    student = editions.student_notebook(nb)
    assert [c.source for c in student.cells] == [c.source for c in nb.cells if "solution" not in editions.tags(c)]
    assert len(student.cells) == 6 and len(nb.cells) == 10  # the original is not changed


def test_exercises_pairs_each_prompt_with_its_solution_cells():
    assert editions.exercises(chapter()) == [(3, [4, 5, 6]), (7, [8])]


def test_a_solution_before_any_exercise_is_refused():
    nb = chapter()
    nb.cells.insert(1, cell("code", "answer = 1", "solution"))
    with pytest.raises(ValueError, match="cell 1 is tagged 'solution' but no 'exercise' cell"):
        editions.exercises(nb)


def test_otter_master_makes_one_question_per_checked_exercise():
    master, questions = editions.otter_master(chapter(), "demo")
    assert questions == 1
    sources = [c.source for c in master.cells]
    assert sources[0].startswith("# ASSIGNMENT CONFIG\nname: demo\n")
    start = sources.index("# BEGIN QUESTION\nname: q1\npoints: 1")
    assert sources[start + 1].startswith("**1. Sum.**")
    assert "# BEGIN SOLUTION\ntotal = sum(x)\nprint(total)\n# END SOLUTION" in sources
    assert any(s.endswith("assert total == 10") and "hidden: true" in s for s in sources)
    # the exercise without a check stays a question to read, and its solution goes
    assert "**2. By hand.** What is the largest entry of `x`?" in sources
    assert not any("reading it off" in s for s in sources)


def test_otter_grades_the_reference_full_and_a_blank_notebook_zero(tmp_path):
    pytest.importorskip("otter", reason="otter-grader is a tool of the development environment (.venv)")
    nb = chapter()
    nb.cells.append(cell("markdown", "**3. Twice.** Store twice the sum in `double`.", "exercise"))
    nb.cells.append(cell("code", "double = 2 * total", "solution", "hide-input"))
    nb.cells.append(cell("code", "assert double == 20", "solution", "remove-cell"))
    path = tmp_path / "chapters" / "99_demo.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    editions.write_assignments([path], tmp_path / "out", grade_them=True)  # raises unless 2/2 and 0/2
    student = nbformat.read(tmp_path / "out" / "99_demo" / "dist" / "student" / "99_demo.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "sum(x)" not in text and "assert total" not in text and "2 * total" not in text
    scores = json.loads((tmp_path / "out" / "99_demo" / "graded-blank" / "results.json").read_text())
    assert [t["score"] for t in scores["tests"] if "max_score" in t] == [0, 0]


@pytest.mark.parametrize("path", editions.chapter_paths(), ids=lambda p: p.name)
def test_every_solution_of_a_chapter_is_in_cells_the_student_edition_drops(path):
    """A solution written outside cells tagged 'solution' would survive into the student edition."""
    student = editions.student_notebook(nbformat.read(path, as_version=4))
    assert editions.exercises(nbformat.read(path, as_version=4)), f"{path.name} has no exercise"
    survivors = [
        cell.source[:60]
        for cell in student.cells
        if "solution" in editions.tags(cell)
        or ":::{dropdown} Solution" in cell.source
        or "assert check(" in cell.source
    ]
    assert not survivors, f"{path.name}: solution text outside cells tagged 'solution': {survivors}"


def test_leaked_solutions_finds_a_solution_line_in_a_page_and_nothing_in_a_clean_one(tmp_path):
    path = tmp_path / "chapters" / "99_demo.ipynb"
    path.parent.mkdir()
    nbformat.write(chapter(), path)
    page = tmp_path / "html" / "chapters" / "99_demo.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p><strong>2. By hand.</strong> What is the largest entry?</p>", encoding="utf-8")
    assert editions.leaked_solutions(tmp_path / "html", [path]) == {}
    page.write_text("<p>Not executed: <em>reading it off</em> gives four.</p>", encoding="utf-8")
    assert editions.leaked_solutions(tmp_path / "html", [path]) == {
        "99_demo.html": ["Not executed: reading it off gives four."]
    }
