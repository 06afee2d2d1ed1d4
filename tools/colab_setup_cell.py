# Colab set-up (hidden in the HTML book): installs the book's helper library
# `cnnbook`, pinned to release {tag}, only when running in Google Colab.
# TensorFlow, numpy and ipywidgets are left exactly as Colab ships them.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "cnnbook @ git+{repository}@{tag}"],
        check=True,
    )
