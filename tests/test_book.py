"""Static checks of the book's conventions: Colab cell, toc, environment files, CI."""

import ast
import json
import pathlib
import re
import subprocess
import sys
import tomllib

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtool  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def requirement_lines(text):
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks found in chapters/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_setup_cell_is_the_standard_one(path):
    assert nbtool.colab_problems(path) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_has_alt_text_or_caption(path):
    assert nbtool.figure_problems(path) == []


def test_colab_cell_installs_only_cnnbook_at_the_release_tag_then_the_branch():
    source = nbtool.colab_cell_source()
    assert re.search(r"^if \"google.colab\" in sys.modules:", source, re.M)
    tree = ast.parse(source)
    commands = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.List) and any(isinstance(e, ast.Constant) and e.value == "install" for e in node.elts)
    ]
    assert len(commands) == 1, "one pip install command"
    elements = commands[0].elts
    after = elements[[getattr(e, "value", None) for e in elements].index("install") + 1 :]
    named = [e for e in after if not (isinstance(e, ast.Constant) and e.value.startswith("-"))]
    # Only cnnbook is named: TensorFlow, numpy and ipywidgets stay as Colab ships them.
    assert len(named) == 1 and isinstance(named[0], ast.JoinedStr)
    assert named[0].values[0].value == f"cnnbook @ git+{nbtool.repository_url()}@"
    refs = [node for node in ast.walk(tree) if isinstance(node, ast.For)][0].iter
    assert [e.value for e in refs.elts] == [nbtool.release_tag(), nbtool.repository()["branch"]]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_cell_installs_the_version_in_pyproject(path):
    with open(ROOT / "pyproject.toml", "rb") as file:
        version = tomllib.load(file)["project"]["version"]
    first = next(cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code")
    refs = sorted(set(re.findall(r"\bv\d+(?:\.\d+)+\w*", "".join(first["source"]))))
    assert refs == [f"v{version}"], (
        f"the set-up cell installs {refs}, pyproject.toml says {version}: run tools/nbtool.py sync-colab"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_in_toc_and_committed_with_outputs(path):
    toc = (ROOT / "_toc.yml").read_text()
    assert f"chapters/{path.stem}" in toc
    nb = json.loads(path.read_text())
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert any(cell.get("outputs") for cell in code), "notebook is committed without outputs"
    for cell in code:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"stored error output: {output.get('ename')}"


def test_environment_yml_lists_the_same_packages_as_requirements():
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip_section = [entry for item in dependencies if isinstance(item, dict) for entry in item["pip"]]
    pip_section = [entry for entry in pip_section if entry != "-e ."]
    assert sorted(pip_section) == sorted(requirement_lines((ROOT / "requirements.txt").read_text()))


def test_package_requirements_stay_loose():
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    assert not [entry for entry in dependencies if entry.startswith(("tensorflow", "keras"))]
    for entry in dependencies:
        assert "==" not in entry and "<" not in entry, f"{entry} would make Colab reinstall it"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "make test" in commands


def test_repository_url_lives_in_one_place():
    url = nbtool.repository_url()
    tracked = [ROOT / "README.md", ROOT / "intro.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    tracked += list((ROOT / "lib").rglob("*.py")) + list((ROOT / "tools").glob("*.py"))
    bare = url.removeprefix("https://github.com/")
    holders = [path.relative_to(ROOT).as_posix() for path in tracked if bare in path.read_text()]
    # README shows one Colab link as an example of the URL pattern.
    assert set(holders) <= {"README.md"}


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_are_valid_github_actions():
    # The GitHub Actions workflow schema (SchemaStore, vendored by check-jsonschema: works offline).
    checker = pathlib.Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert WORKFLOWS and result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_run_make_targets_that_exist(path):
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    steps = [step for job in yaml.safe_load(path.read_text())["jobs"].values() for step in job["steps"]]
    commands = [step["run"] for step in steps if "run" in step]
    assert commands, f"{path.name} runs nothing"
    for command in commands:
        for target in re.findall(r"\bmake ([a-z][\w-]*)", command):
            assert target in targets, f"{path.name} runs make {target}, which the Makefile does not define"
        if "make" not in command:
            assert command == "bash .ci/run"


def test_gpu_workflow_requires_the_gpu_in_the_cuda_mirror():
    workflow = (ROOT / ".github" / "workflows" / "gpu.yml").read_text()
    assert "make test-gpu" in workflow
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest-gpu:", 1)[1].split("\n\n", 1)[0]
    assert "CNNBOOK_REQUIRE_GPU=1" in recipe and "$(GPU_VENV)" in recipe
    assert '"tensorflow[and-cuda]")' in makefile.split("$(GPU_VENV)/.installed:", 1)[1].split("\n\n", 1)[0]


def cells(*outputs_per_cell, tagged=True):
    nb = nbformat.v4.new_notebook()
    for count, outputs in enumerate(outputs_per_cell, 1):
        cell = nbformat.v4.new_code_cell("x", execution_count=count, outputs=outputs)
        if tagged:
            cell.metadata["tags"] = ["nbval-check-output"]
        nb.cells.append(cell)
    return nbformat.from_dict(nb)


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def result(plain, png=None):
    data = {"text/plain": plain} | ({"image/png": png} if png else {})
    return nbformat.v4.new_output("execute_result", data=data, execution_count=1)


def test_checked_outputs_are_compared_the_nbval_lax_way():
    committed = cells([stream("a\n"), stream("b\n"), result("3", png="AAAA")])
    # Streams split differently and a different picture: the same to nbval.
    same = cells([stream("a\nb\n"), result("3", png="BBBB")])
    assert nbtool.output_differences(committed, same) == []
    changed = cells([stream("a\nb\n"), result("4", png="AAAA")])
    [problem] = nbtool.output_differences(committed, changed)
    assert problem.startswith("cell 0") and "'3'" in problem and "'4'" in problem
    # Untagged cells are not compared, and the executed outputs are left as they were.
    assert nbtool.output_differences(cells([stream("a")], tagged=False), cells([stream("b")], tagged=False)) == []
    assert len(changed.cells[0].outputs) == 2
