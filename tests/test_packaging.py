"""The wheel that ``pip install`` builds (Colab's set-up cell does it): complete, and built without warnings.

Issue 23: setuptools warned that ``project.license`` as a table is deprecated and
that the JavaScript folder of the widgets was absent from ``packages`` (a coming
setuptools may leave it out of the wheel). The wheel is built the way pip builds
it for Colab, in an isolated build environment (so pip fetches the setuptools
that ``[build-system]`` asks for), from a copy of the files ``pyproject.toml``
names, so the working tree gets no ``build/`` folder.
"""

import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lib" / "cnnbook"
# What setuptools says when a configuration is deprecated or incomplete.
BUILD_WARNING = re.compile(r"(SetuptoolsDeprecationWarning|BuildBackendWarning|DeprecationWarning|is absent from)")


def build_warnings(log):
    """Lines of a verbose pip build log in which setuptools warns."""
    return [line.strip() for line in log.splitlines() if BUILD_WARNING.search(line)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("lib", "data"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path_factory.mktemp("wheels")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "--wheel-dir", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"pip wheel failed:\n{log[-3000:]}"
    (wheel,) = wheels.glob("cnnbook-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(name).decode() for name in names if name.endswith(".dist-info/METADATA"))
    return log, names, metadata


def test_wheel_holds_every_module_and_every_javascript_file(built):
    _, names, _ = built
    expected = {
        "cnnbook/" + path.relative_to(PACKAGE).as_posix()
        for pattern in ("*.py", "*.js")
        for path in PACKAGE.rglob(pattern)
        if "__pycache__" not in path.parts
    }
    assert any(name.startswith("cnnbook/widgets/js/") for name in expected), "no JavaScript found to check"
    missing = sorted(expected - names)
    assert not missing, f"the wheel lacks {missing}"
    assert "cnnbook/bundled/mnist_sample.npz" in names


def test_license_is_an_spdx_expression(built):
    _, _, metadata = built
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert isinstance(project["license"], str), "project.license must be an SPDX string, not a table"
    assert f"License-Expression: {project['license']}" in metadata


def test_build_prints_no_setuptools_warning(built):
    log, _, _ = built
    warnings = build_warnings(log)
    assert not warnings, "building the wheel printed:\n  " + "\n  ".join(warnings)


def test_checker_build_warnings():
    """The two warnings of issue 23, as setuptools 80 prints them, are caught; pip's own notes are not."""
    deprecated = (
        ".../_apply_pyprojecttoml.py:82: SetuptoolsDeprecationWarning: `project.license` as a TOML table is deprecated"
    )
    absent = ".../build_py.py:215: _Warning: Package 'cnnbook.widgets.js' is absent from the `packages` configuration."
    assert len(build_warnings(f"running bdist_wheel\n{deprecated}\n{absent}\n")) == 2
    assert build_warnings("warning: build_py: byte-compiling is disabled, skipping.\nrunning egg_info\n") == []
