"""The public API is what readers use.

Every public module lists its public names in ``__all__``; every other name
starts with an underscore. A public name must be used where readers see it (a
chapter's code, a name in backticks in a chapter or the README, or one of the
repository's tools), or be a type, exception or constant that a public function
returns, raises or accepts (``KEPT`` says which, and why). A helper only the
library itself calls is private.
"""

import importlib
import inspect
import json
import pathlib
import pkgutil
import re

import pytest

import cnnbook

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: Public names no chapter spells out, and why they stay public.
KEPT = {
    "data.DataIntegrityError": "raised by load_mnist(full=True) when a checksum fails; readers catch it",
    "data.PHOTOS": "the names load_photo accepts",
    "diagrams.ARCHITECTURES": "the names architecture_diagram accepts",
    "features.DaisyLayout": "returned by daisy_layout",
    "stats.McNemar": "returned by mcnemar",
    "stats.PairedDifference": "returned by paired_difference",
    "exercises.Verdict": "returned by check and compare; shown in the notebook",
    "numpy_cnn.Conv2D": "a layer of the NumpyCNN that digits_cnn returns (chapter 5: one class per layer)",
    "numpy_cnn.ReLU": "a layer of the NumpyCNN that digits_cnn returns",
    "numpy_cnn.Flatten": "a layer of the NumpyCNN that digits_cnn returns",
    "numpy_cnn.Dense": "a layer of the NumpyCNN that digits_cnn returns",
    "params.Conv1D": "a layer spec for layer_table; keras_layer_table returns it for Conv1D layers",
    "params.Conv3D": "a layer spec for layer_table; keras_layer_table returns it for Conv3D layers",
    "params.DepthwiseConv2D": "a layer spec; keras_layer_table describes EfficientNet's layers with it",
    "params.SeparableConv2D": "a layer spec for layer_table",
    "params.ZeroPad": "a layer spec; keras_layer_table describes ZeroPadding2D with it",
    "params.BatchNorm": "a layer spec; keras_layer_table describes BatchNormalization with it",
    "params.LayerRow": "the rows layer_table and keras_layer_table return",
    "pretrained.INPUT_SIZE": "the default size of preprocess",
    "references.Reference": "returned by reference",
    "references.Evaluation": "part of a Reference",
    "references.CROPS": "the values of Evaluation.crops",
    "references.PAPERS": "the names reference accepts",
    "gradient_reach.INPUT_MODE": "a value of GradientReach's mode",
    "gradient_reach.OUTPUT_MODE": "a value of GradientReach's mode",
}


#: Packages that are not library code: the bundled data (data/, installed as cnnbook.bundled)
#: with the script that made it. Editable installs do not list it; regular ones do.
NOT_API = ("cnnbook.bundled",)


def _public_modules():
    names = ["cnnbook"] + [m.name for m in pkgutil.walk_packages(cnnbook.__path__, "cnnbook.")]
    return [
        importlib.import_module(n)
        for n in names
        if not any(part.startswith("_") for part in n.split(".")) and not n.startswith(NOT_API)
    ]


def _reader_texts():
    """The code readers run or read, and the names they read in backticks."""
    code, backticked = [], []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            (code if cell["cell_type"] == "code" else backticked).append(source)
    for path in [ROOT / "README.md", ROOT / "intro.md", *sorted((ROOT / "chapters").glob("*.md"))]:
        if path.exists():
            backticked.append(path.read_text())
    code += [path.read_text() for path in sorted((ROOT / "tools").glob("*.py"))]
    spans = [span for text in backticked for span in re.findall(r"`([^`\n]+)`", text)]
    return "\n".join(code), "\n".join(spans)


def _used(name, code, spans):
    attribute = re.compile(rf"\.{name}\b")
    imported = re.compile(rf"\bimport\s+(?:\([^)]*|[^\n(]*)\b{name}\b")
    word = re.compile(rf"(?<![\w.]){name}\b|\.{name}\b")
    return bool(attribute.search(code) or imported.search(code) or word.search(spans))


MODULES = _public_modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_public_means_listed_in_all(module):
    listed = set(getattr(module, "__all__", ()))
    private = sorted(n for n in listed if n.startswith("_"))
    assert not private, f"{module.__name__}.__all__ lists private names {private}"
    missing = sorted(n for n in listed if not hasattr(module, n))
    assert not missing, f"{module.__name__}.__all__ lists names it does not define: {missing}"
    defined_here = sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
        and name not in listed
    )
    assert not defined_here, f"{module.__name__} defines public names missing from __all__: {defined_here}"


def test_every_public_name_is_used_by_readers_or_kept_for_a_reason():
    code, spans = _reader_texts()
    kept = {id(getattr(module, name)) for module, name in _kept()}
    unused = []
    for module in MODULES:
        for name in getattr(module, "__all__", ()):
            # A submodule's name re-exported by its package (cnnbook.params) is kept with it.
            if not _used(name, code, spans) and id(getattr(module, name)) not in kept:
                unused.append(f"{module.__name__}.{name}")
    assert not unused, f"public names no reader uses (make them private, or say in KEPT why not): {unused}"


def _kept():
    """Each KEPT entry as (module, name); fails on an entry that names nothing public (a stale one)."""
    by_short = {module.__name__.rsplit(".", 1)[-1]: module for module in MODULES}
    pairs = []
    for key in KEPT:
        short, name = key.split(".")
        module = by_short.get(short)
        assert module is not None and name in getattr(module, "__all__", ()), f"KEPT names {key}, which is not public"
        pairs.append((module, name))
    return pairs
