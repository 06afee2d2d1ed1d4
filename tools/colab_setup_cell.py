# Colab set-up (hidden in the HTML book): installs the book's helper library
# `cnnbook`, pinned to release {tag}, only when running in Google Colab.
# TensorFlow, numpy and ipywidgets are left exactly as Colab ships them.
import subprocess
import sys

if "google.colab" in sys.modules:
    _failed = []
    for _ref in ["{tag}", "{branch}"]:  # the release, else the branch these notebooks come from
        _pip = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", f"cnnbook @ git+{repository}@{{_ref}}"],
            capture_output=True, text=True,
        )
        if _pip.returncode == 0:
            break
        _failed.append(_ref)
        _reason = (_pip.stderr.strip().splitlines() or ["pip gave no message"])[-1]
    if len(_failed) == 1:
        print(f"Could not install cnnbook {tag} from {repository} ({{_reason}}); "
              "installed it from branch {branch} instead, which may differ from this release.")
    elif _failed:
        print(f"Could not install cnnbook {tag} or branch {branch} from {repository} ({{_reason}}): "
              "check that this runtime is connected to the internet and run this cell again; "
              "if it keeps failing, report it at {repository}/issues.")
