"""The student edition and the graded assignments, made from the chapters' exercise tags.

    python tools/editions.py student [--out DIR]        chapters without solutions, and their HTML book
    python tools/editions.py assignments [--out DIR] [--grade] [NOTEBOOK ...]
                                                        one otter-grader assignment per chapter

Every chapter marks its exercises the same way (README, "Exercises"): a markdown
cell tagged ``exercise`` holds the question; every cell of its solution (the
explanation, the executed code, the hidden check) is tagged ``solution``; the
hidden check is the solution cell that is also tagged ``remove-cell``; a
solution that is not executed is a markdown cell tagged
``solution-not-executed``.

``student`` deletes every ``solution`` cell and builds the HTML book from what
is left, with the outputs the chapters store (nothing is executed again).

``assignments`` rewrites each chapter into otter-grader's master format
(https://otter-grader.readthedocs.io, "Otter Assign"): each exercise becomes a
question worth one point, its solution code becomes the reference answer (the
student's notebook shows ``...`` in its place), and its hidden check becomes
the question's hidden test. ``otter assign`` then writes the student notebook
and the autograder. ``--grade`` grades the reference notebook and the untouched
student notebook locally with ``otter run`` (no Docker) and fails unless they get
full marks and no marks. Exercises without an executed solution are left out of
the grading, since they have no check.
"""

import argparse
import copy
import glob
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "_build"
EXERCISE, SOLUTION, CHECK, NOT_EXECUTED = "exercise", "solution", "remove-cell", "solution-not-executed"


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def chapter_paths(paths=()):
    return [pathlib.Path(p).resolve() for p in paths] or sorted(CHAPTERS.glob("[0-9]*.ipynb"))


def student_notebook(nb):
    """A copy of ``nb`` without any cell tagged ``solution``."""
    student = copy.deepcopy(nb)
    student.cells = [cell for cell in student.cells if SOLUTION not in tags(cell)]
    return student


def exercises(nb):
    """``(prompt index, [solution cell indices])`` of every exercise, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        if EXERCISE in tags(cell):
            found.append((index, []))
        elif SOLUTION in tags(cell):
            if not found:
                raise ValueError(f"cell {index} is tagged {SOLUTION!r} but no {EXERCISE!r} cell comes before it")
            found[-1][1].append(index)
    return found


def solution_lines(nb):
    """Lines of 25 characters or more that only the solutions hold.

    A solution line that is also part of the main text, in a cell or in a cell's printed
    output (a model's printed source, say), gives nothing away. Markdown emphasis and code
    marks are dropped, so a line can be looked for in the HTML text too.
    """

    def texts(cell, with_outputs):
        yield cell.source
        for output in cell.get("outputs", []) if with_outputs else []:
            yield output.get("text", "") if isinstance(output.get("text", ""), str) else "".join(output["text"])
            plain = output.get("data", {}).get("text/plain", "")
            yield plain if isinstance(plain, str) else "".join(plain)

    def lines(keep, with_outputs=False):
        found = set()
        for cell in nb.cells:
            if keep(cell):
                for text in texts(cell, with_outputs):
                    for line in text.splitlines():
                        line = re.sub(r"[*`$]", "", line).strip()
                        if len(line) >= 25:
                            found.add(line)
        return found

    main_text = "\n".join(lines(lambda c: SOLUTION not in tags(c), with_outputs=True))
    return {line for line in lines(lambda c: SOLUTION in tags(c)) if line not in main_text}


def leaked_solutions(html_dir, chapters):
    """``{page: [solution line, ...]}`` for solution lines that a built page still shows."""
    leaks = {}
    for path in chapters:
        page = html_dir / "chapters" / f"{path.stem}.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        text = re.sub(r"[*`$]", "", text)
        found = [line for line in solution_lines(nbformat.read(path, as_version=4)) if line in text]
        if found:
            leaks[page.name] = found
    return leaks


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def _answer_cell(cell):
    """A solution code cell as otter's reference answer: the whole source is the part students write."""
    answer = copy.deepcopy(cell)
    answer.source = f"# BEGIN SOLUTION\n{cell.source.rstrip()}\n# END SOLUTION"
    answer.outputs, answer.execution_count = [], None
    return answer


def _test_cell(cell):
    """A hidden check as an otter test, hidden from students (it would give the answer away)."""
    test = copy.deepcopy(cell)
    # otter drops the lines that call check(...) from a graded notebook, imports included, so a
    # test that calls cnnbook's check imports it itself
    imports = "from cnnbook.exercises import check\n" if "check(" in cell.source else ""
    test.source = f'""" # BEGIN TEST CONFIG\nhidden: true\n"""  # END TEST CONFIG\n{imports}{cell.source.rstrip()}'
    test.outputs, test.execution_count = [], None
    return test


def otter_master(nb, name):
    """``nb`` in otter-grader's master format: one question per exercise that has a hidden check."""
    config = {"name": name, "init_cell": True, "check_all_cell": True, "export_cell": False, "run_tests": False}
    master = copy.deepcopy(nb)
    master.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    master.metadata.setdefault("language_info", {"name": "python"})
    by_prompt = dict(exercises(nb))
    cells = [_raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False))]
    questions = 0
    index = 0
    while index < len(nb.cells):
        cell = nb.cells[index]
        if index not in by_prompt:
            if SOLUTION not in tags(cell):
                cells.append(copy.deepcopy(cell))
            index += 1
            continue
        solution = [nb.cells[i] for i in by_prompt[index]]
        checks = [c for c in solution if c.cell_type == "code" and CHECK in tags(c)]
        answers = [c for c in solution if c.cell_type == "code" and CHECK not in tags(c)]
        if checks and answers:
            questions += 1
            explanation = [copy.deepcopy(c) for c in solution if c.cell_type == "markdown"]
            cells += [_raw(f"# BEGIN QUESTION\nname: q{questions}\npoints: 1"), copy.deepcopy(cell)]
            cells += [_raw("# BEGIN SOLUTION"), *explanation, *map(_answer_cell, answers), _raw("# END SOLUTION")]
            cells += [_raw("# BEGIN TESTS"), *map(_test_cell, checks), _raw("# END TESTS"), _raw("# END QUESTION")]
        else:
            cells.append(copy.deepcopy(cell))  # no executed, checked solution: a question without grading
        index = (by_prompt[index][-1] if by_prompt[index] else index) + 1
    master.cells = cells
    return master, questions


def write_student_edition(out):
    """Chapters without solutions in ``out/src``, and their HTML book in ``out/html``."""
    src = out / "src"
    shutil.rmtree(out, ignore_errors=True)
    (src / "chapters").mkdir(parents=True)
    for name in ("_toc.yml", "intro.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "_ext", src / "_ext")
    for path in CHAPTERS.iterdir():
        if path.suffix == ".ipynb":
            nbformat.write(student_notebook(nbformat.read(path, as_version=4)), src / "chapters" / path.name)
        elif path.is_file():
            shutil.copy(path, src / "chapters" / path.name)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] += " (student edition)"
    config["execute"]["execute_notebooks"] = "off"  # the stored outputs, nothing run again
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    subprocess.run([jupyter_book, "build", src, "--path-output", out, "-W", "-n", "--keep-going"], check=True)
    html_dir = out / "_build" / "html"
    chapters = chapter_paths()
    if not any(solution_lines(nbformat.read(path, as_version=4)) for path in chapters):
        raise SystemExit("no chapter has a solution line to look for: are the solutions tagged 'solution'?")
    leaks = leaked_solutions(html_dir, chapters)
    if leaks:
        raise SystemExit(f"solutions left in the student edition: {leaks}")
    print(f"student edition: {src / 'chapters'} and {html_dir / 'index.html'}; no solution line in its pages")


def _score(results_json):
    tests = json.loads(pathlib.Path(results_json).read_text(encoding="utf-8"))["tests"]
    graded = [t for t in tests if "max_score" in t]
    return sum(t["score"] for t in graded), sum(t["max_score"] for t in graded)


def grade(autograder, notebook, out):
    """(score, maximum) of ``notebook`` graded by ``otter run`` with ``autograder`` (a zip)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out), str(notebook)],
        check=True,
        capture_output=True,
        cwd=notebook.parent,
    )
    return _score(out / "results.json")


def write_assignments(paths, out, grade_them=False):
    failures = []
    for path in paths:
        name = path.stem
        folder = out / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        master, questions = otter_master(nbformat.read(path, as_version=4), name)
        if not questions:
            print(f"{name}: no exercise with an executed, checked solution; no assignment")
            continue
        nbformat.write(master, folder / f"{name}.ipynb")
        subprocess.run(
            [sys.executable, "-m", "otter", "assign", f"{name}.ipynb", "dist"],
            check=True,
            cwd=folder,
            capture_output=True,
        )
        dist = folder / "dist"
        (autograder,) = glob.glob(str(dist / "autograder" / "*.zip"))
        print(f"{name}: {questions} graded questions; student notebook {dist / 'student' / f'{name}.ipynb'}")
        if grade_them:
            reference = grade(autograder, dist / "autograder" / f"{name}.ipynb", folder / "graded-reference")
            blank = grade(autograder, dist / "student" / f"{name}.ipynb", folder / "graded-blank")
            print(
                f"{name}: reference {reference[0]:g}/{reference[1]:g}, untouched student notebook {blank[0]:g}/{blank[1]:g}"
            )
            if reference != (questions, questions) or blank[0] != 0:
                failures.append(name)
    if failures:
        raise SystemExit(f"grading gave the wrong marks for {', '.join(failures)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["student", "assignments"])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--grade", action="store_true", help="grade the reference and a blank submission")
    args = parser.parse_intermixed_args(argv)  # notebooks before or after --grade
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.command == "student":
        write_student_edition((args.out or BUILD / "student").resolve())
    else:
        write_assignments(chapter_paths(args.notebooks), (args.out or BUILD / "assignments").resolve(), args.grade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
