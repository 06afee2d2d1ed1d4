"""Static checks of the book's conventions: Colab cell, toc, environment files, CI."""
import json
import pathlib
import re
import sys

import pytest

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


def test_colab_cell_installs_the_repository_at_the_release_tag():
    source = nbtool.colab_cell_source()
    assert "git+https://github.com/" in source and "@v" in source
    assert re.search(r"^if \"google.colab\" in sys.modules:", source, re.M)
    code = "\n".join(line for line in source.splitlines() if not line.startswith("#"))
    installed = re.findall(r'"([^"]+)"', code.split('"install"', 1)[1])
    # Only cnnbook is named: TensorFlow, numpy and ipywidgets stay as Colab ships them.
    assert [spec for spec in installed if not spec.startswith("-")] == [installed[-1]]
    assert installed[-1].startswith("cnnbook @ git+")


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
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    pip_section = [entry for entry in re.findall(r"^\s+- (.+)$", pip_block, re.M) if entry != "-e ."]
    assert sorted(pip_section) == sorted(requirement_lines((ROOT / "requirements.txt").read_text()))


def test_package_requirements_stay_loose():
    text = (ROOT / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)\]", text, re.M | re.S).group(1)
    assert "tensorflow" not in dependencies and "keras" not in dependencies
    for entry in re.findall(r'"([^"]+)"', dependencies):
        assert "==" not in entry and "<" not in entry, f"{entry} would make Colab reinstall it"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert "make test" in commands


def test_repository_url_lives_in_one_place():
    url = nbtool.repository_url()
    tracked = [ROOT / "README.md", ROOT / "intro.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    tracked += list((ROOT / "lib").rglob("*.py")) + list((ROOT / "tools").glob("*.py"))
    bare = url.removeprefix("https://github.com/")
    holders = [path.relative_to(ROOT).as_posix() for path in tracked if bare in path.read_text()]
    # README shows one Colab link as an example of the URL pattern.
    assert set(holders) <= {"README.md"}
