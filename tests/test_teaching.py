"""The teaching page (chapters/teaching.ipynb) checked against the chapters and the code, so it cannot go stale.

- Every ``{doc}`` reference resolves: the chapter exists, and a section title
  or ``exercise TITLE`` names a heading or an exercise prompt of that chapter.
- The model-cache table of "Before class" is read from the code: which
  chapters call a function of ``cnnbook`` that reads or writes the model cache
  (found by following calls through ``lib/cnnbook`` to ``cache_dir``), which
  of those functions load and which store, and which chapters share one cached
  model (the same function called with the same arguments).
- Each of the four run sheets has every part (objectives, a 75-minute plan,
  activities checked in hidden cells, misconceptions, discussion questions).
- The slide tags in the chapters name a run sheet, and the Pages workflow
  publishes the book and the decks.

The ``test_checker_*`` tests break a target on purpose and show that the
checks then fail.
"""

import ast
import json
import pathlib
import re
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

LIB = ROOT / "lib" / "cnnbook"


def teaching_markdown():
    cells = slides.read(slides.TEACHING)["cells"]
    return "\n\n".join(slides.source(cell) for cell in cells if cell["cell_type"] == "markdown")


# ---------------------------------------------------------------- references


def reference_problems(text):
    problems = []
    for link_text, target in slides.doc_references(text):
        try:
            slides.resolve(link_text, target)
        except ValueError as error:
            problems.append(str(error))
    return list(dict.fromkeys(problems))  # each broken reference once, however often the page repeats it


def test_every_chapter_section_and_exercise_the_page_names_exists():
    text = teaching_markdown()
    problems = reference_problems(text)
    assert not problems, "\n".join(problems)
    kinds = {slides.resolve(*reference)[0] for reference in slides.doc_references(text)}
    assert {"chapter", "section", "exercise"} <= kinds


def test_every_widget_the_page_names_exists():
    import cnnbook.widgets

    text = teaching_markdown()
    # The plan tables' widget column, and every widget a run sheet shows or opens.
    named = {name for row in slides.table_rows(text) if len(row) == 5 for name in re.findall(r"`(\w+)`", row[3])}
    named |= set(re.findall(r"(?:Show|Open|open|run)\s+`(\w+)[.(`]", text))
    missing = sorted(name for name in named if not hasattr(cnnbook.widgets, name))
    assert len(named) >= 6 and not missing, missing


def test_checker_references_fail_when_their_target_is_renamed(tmp_path, monkeypatch):
    """A renamed exercise, a renamed section and a removed chapter each fail the reference check."""
    for path in (ROOT / "chapters").glob("*.ipynb"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(slides, "CHAPTERS", tmp_path)
    text = (
        "{doc}`exercise Count the convolutions <05_gradient>` {doc}`Padding, stride and dilation <01_convolution>` "
        "{doc}`09_architectures`"
    )
    assert reference_problems(text) == []
    chapter5 = tmp_path / "05_gradient.ipynb"
    chapter5.write_text(chapter5.read_text().replace("**4. Count the convolutions.**", "**4. Count them.**"))
    chapter1 = tmp_path / "01_convolution.ipynb"
    chapter1.write_text(re.sub(r"## (\d+\.\d+ )?Padding, stride and dilation", "## Padding", chapter1.read_text()))
    (tmp_path / "09_architectures.ipynb").unlink()
    problems = reference_problems(text)
    assert len(problems) == 3, problems
    assert "no exercise 'Count the convolutions'" in problems[0]
    assert "no section 'Padding, stride and dilation'" in problems[1]
    assert "no chapter" in problems[2]


def test_section_titles_resolve_with_or_without_their_number():
    assert slides.plain_title("4.2 Larson's 9x9 image, fully connected") == "Larson's 9x9 image, fully connected"
    assert slides.plain_title("Two small kernels or one large one.") == "Two small kernels or one large one"
    assert slides.resolve("Two formulas", "04_parameters") == ("section", "04_parameters", "Two formulas")


# ---------------------------------------------------------------- the model cache


def _call_name(func, owner):
    """A call's name: ``name``, or ``Class.method`` for ``self.``/``cls.``/``Class.`` calls, else the attribute."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        base = func.value.id if isinstance(func.value, ast.Name) else None
        if base in ("self", "cls") and owner:
            return f"{owner}.{func.attr}"
        return f"{base}.{func.attr}" if base and base[:1].isupper() else func.attr
    return None


def _called(function, owner):
    """Names of everything ``function`` calls."""
    return {_call_name(node.func, owner) for node in ast.walk(function) if isinstance(node, ast.Call)}


def library_calls():
    """``{function or Class.method: names it calls}`` over every module of lib/cnnbook."""
    graph = {}
    for path in LIB.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                graph.setdefault(node.name, set()).update(_called(node, None))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        graph.setdefault(f"{node.name}.{item.name}", set()).update(_called(item, node.name))
    return graph


def reaches(graph, start, goal):
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return False


def cache_functions():
    """``{public function: {"reads": bool, "writes": bool}}`` for every function that reaches the model cache."""
    graph = library_calls()
    return {
        name: {"reads": reaches(graph, name, "load_model"), "writes": reaches(graph, name, "save")}
        for name in graph
        if not name.split(".")[-1].startswith("_") and name != "cache_dir" and reaches(graph, name, "cache_dir")
    }


def _magic(line):
    """An IPython magic (``%...``) or shell (``!...``) line, which is not Python; ``!=`` continues an expression."""
    return re.match(r"\s*(%|!(?!=))", line) is not None


def cache_uses():
    """``[(chapter, function, arguments)]``: each call of a cache function in a chapter's code cells."""
    functions = cache_functions()
    uses = []
    for stem in slides.chapter_stems():
        for cell in slides.read(ROOT / "chapters" / f"{stem}.ipynb")["cells"]:
            if cell["cell_type"] != "code":
                continue
            code = "\n".join(line for line in slides.source(cell).splitlines() if not _magic(line))
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.Call) and _call_name(node.func, None) in functions:
                    arguments = repr([ast.dump(value) for value in [*node.args, *node.keywords]])
                    uses.append((stem, _call_name(node.func, None), arguments))
    return uses


def cache_claims(text):
    """The rows of the page's cache table: ``{(chapter, function): (empty cache, filled cache, shares with)}``."""
    table = text[text.index("| Chapter | Function |") :].split("\n\n")[0]
    claims = {}
    for row in slides.table_rows(table):
        (_, stem), *_ = slides.doc_references(row[0])
        shares = {target for _, target in slides.doc_references(row[4])}
        claims[(stem, row[1].strip("`"))] = (row[2], row[3], shares)
    return claims


def cache_problems(claims, uses, functions):
    """Where the page's cache claims and the code disagree."""
    problems = []
    used = {(stem, name) for stem, name, _ in uses}
    for stem, name in sorted(used - set(claims)):
        problems.append(f"{stem} calls {name}, which uses the model cache; the page does not say so")
    for stem, name in sorted(set(claims) - used):
        problems.append(f"the page says {stem} calls {name} (a cache function); its code does not")
    for (stem, name), (empty, filled, shares) in claims.items():
        behaviour = functions.get(name, {"reads": False, "writes": False})
        if behaviour["writes"] != ("stores" in empty):
            problems.append(f"{stem}, {name}: the page says it {'stores' if 'stores' in empty else 'stores nothing'}")
        if behaviour["reads"] != ("loads" in filled):
            problems.append(f"{stem}, {name}: the page says it {'loads' if 'loads' in filled else 'loads nothing'}")
        mine = {arguments for other, function, arguments in uses if (other, function) == (stem, name)}
        sharing = {
            other for other, function, arguments in uses if function == name and other != stem and arguments in mine
        }
        if sharing != shares:
            problems.append(
                f"{stem}, {name}: shares its cached model with {sorted(sharing)}, the page says {sorted(shares)}"
            )
    return problems


def test_the_page_states_what_the_code_caches():
    functions = cache_functions()
    assert {"trained_lecture_cnn", "trained_on_mnist_sample"} <= set(functions), functions
    problems = cache_problems(cache_claims(teaching_markdown()), cache_uses(), functions)
    assert not problems, "\n".join(problems)


def test_checker_cache_claims_fail_when_the_code_changes():
    """The old page's claim (chapter 6 stores the lecture CNN), a chapter that stops caching, a new cache user."""
    functions, uses = cache_functions(), cache_uses()
    claims = cache_claims(teaching_markdown())
    assert cache_problems(claims, uses, functions) == []
    stale = dict(claims)
    stale[("06_keras_mnist", "trained_lecture_cnn")] = ("trains it and stores it", "loads it", set())
    assert any("06_keras_mnist calls trained_lecture_cnn" in p for p in cache_problems(stale, uses, functions))
    without_chapter_3 = [use for use in uses if use[0] != "03_anatomy"]
    assert cache_problems(claims, without_chapter_3, functions)
    other_arguments = [(stem, name, "epochs=1" if stem == "07_augmentation" else args) for stem, name, args in uses]
    assert any("shares its cached model" in p for p in cache_problems(claims, other_arguments, functions))
    loads_only = {name: {"reads": True, "writes": False} for name in functions}
    assert any("stores" in p for p in cache_problems(claims, uses, loads_only))


def test_stale_statements_are_gone():
    text = teaching_markdown()
    for stale in ("skipped unless it runs in Colab", "a constant learning rate", "downloads weights"):
        assert stale not in text


# ---------------------------------------------------------------- run sheets


def test_four_run_sheets_with_every_part():
    sheets = slides.run_sheets()
    assert sorted(sheets) == ["kuo", "larson1", "larson2", "payberah"]
    hidden = [
        slides.source(cell)
        for cell in slides.read(slides.TEACHING)["cells"]
        if cell["cell_type"] == "code" and "remove-cell" in slides.tags(cell)
    ]
    names = {"larson1": "Larson 1", "larson2": "Larson 2", "kuo": "Kuo", "payberah": "Payberah"}
    for session, sheet in sheets.items():
        assert len(sheet.objectives) >= 3, session
        assert not slides.plan_problems(sheet), (session, slides.plan_problems(sheet))
        assert {"activity", "discussion"} <= {row.kind for row in sheet.plan}, session
        assert 1 <= len(sheet.activities) <= 2, session
        for number, activity in sheet.activities.items():
            assert activity["ask"] and activity["see"], (session, number)
            assert any(f"Activity {number}" in row.what for row in sheet.plan), (session, number)
            checked = [
                code for code in hidden if re.search(rf"Activit(y|ies) [\d and]*{number}\b.*{names[session]}", code)
            ]
            assert checked and all("assert" in code for code in checked), f"{session}: activity {number} unchecked"
        assert len(sheet.misconceptions) >= 3, session
        for misconception, refutation in sheet.misconceptions:
            assert slides.doc_references(refutation) or re.search(r"Activity \d|`[A-Z]\w+", refutation), misconception
        assert len(sheet.questions) >= 2 and all(answer.strip() for _, answer in sheet.questions), session


def test_checker_plan_must_fill_75_minutes():
    sheet = slides.run_sheets()["kuo"]
    broken = slides.RunSheet(**{**sheet.__dict__, "plan": sheet.plan[:-1]})
    assert slides.plan_problems(broken) == ["the plan ends at minute 70, not 75"]
    gap = [slides.PlanRow(0, 5, "talk", "", ""), slides.PlanRow(6, 75, "lecture", "", "")]
    assert len(slides.plan_problems(slides.RunSheet(**{**sheet.__dict__, "plan": gap}))) == 2


# ---------------------------------------------------------------- slides and the site


def test_slide_tags_name_a_run_sheet():
    sessions = set(slides.run_sheets())
    for stem in slides.chapter_stems():
        for cell in slides.read(ROOT / "chapters" / f"{stem}.ipynb")["cells"]:
            for tag in slides.tags(cell):
                if tag.startswith(slides.TAG_PREFIX):
                    assert tag[len(slides.TAG_PREFIX) :] in sessions, f"{stem}: unknown deck {tag}"


def test_pages_workflow_publishes_the_book_and_the_slides():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML reads the key "on" as True
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = [step.get("uses", "") for step in steps]
    assert any(use.startswith("actions/deploy-pages@") for use in uses)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    assert any("make site" in step.get("run", "") for step in steps)
    # The book build reuses the execution cache that the CPU workflow saves.
    restore = next(step for step in steps if step.get("uses", "").startswith("actions/cache/restore@"))
    cpu = yaml.safe_load((ROOT / ".github" / "workflows" / "cpu.yml").read_text())
    cpu_steps = [step for job in cpu["jobs"].values() for step in job["steps"]]
    save = next(step for step in cpu_steps if step.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["key"] == save["with"]["key"] and restore["with"]["path"] == save["with"]["path"]
    recipe = (ROOT / "Makefile").read_text().split("\nsite:", 1)[1].split("\n\n", 1)[0]
    assert "_build/html/slides" in recipe.replace("$(SLIDES_SITE)", "_build/html/slides")


def test_decks_are_built_from_stored_outputs_and_fit(tmp_path):
    paths = slides.build(tmp_path)
    assert sorted(path.stem for path in paths) == ["kuo", "larson1", "larson2", "payberah"]
    for path in paths:
        page = path.read_text(encoding="utf-8")
        assert len(page.encode()) < slides.MAX_DECK_BYTES
        loads = r"""src=["']?(https?:)?//|<link[^>]+href=["']?(https?:)?//|@import url\(["']?(https?:)?//"""
        assert not re.search(loads, page), f"{path.name} loads something from the web"
        assert "Minutes 0-" in page, f"{path.name}: no timings in the speaker notes"


def test_glued_numbers_are_refused_on_slides():
    with pytest.raises(ValueError, match="glued"):
        slides.markdown_html("{glue:text}`acc:.1%`")
    assert slides.markdown_html("{doc}`The formula <01_convolution>`").strip() == "<p>The formula</p>"
    assert json.loads(json.dumps(slides.MATHJAX_CONFIG))["loader"] == {"load": []}
