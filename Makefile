# The two commands README gives: `make book` and `make test`.
# Each sets up everything it needs on a fresh machine with Python 3.11+ and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600
# TensorFlow's C++ start-up logs (oneDNN, CPU features, "failed call to cuInit" without a GPU) land in cell stderr at
# random moments; hide them wherever notebooks run (nbval, build, benchmark).
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: env book test test-lib test-notebooks test-colab test-browser lab bench bench-reference clean

# A virtual environment with the pinned toolchain and cnnbook (editable).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

env: $(STAMP)

# Execute every chapter and build the HTML book: _build/html/index.html
# CNNBOOK_STANDINS=1: each widget also draws its static stand-in (only the book shows it).
book: $(STAMP)
	CNNBOOK_STANDINS=1 $(BIN)/jupyter-book build . -W -n --keep-going

test-lib: $(STAMP)
	$(BIN)/python -m pytest tests -q --ignore=tests/browser

# The notebooks under nbval in the development environment.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) chapters -q

# The environment Colab ships (tools/colab-versions.txt), with cnnbook installed
# from the repository, not editable, as the chapters' Colab set-up cell does;
# every notebook under nbval and the widget tests run in it.
COLAB_VENV := .venv-colab
$(COLAB_VENV)/.installed: tools/colab-versions.txt
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet -r tools/colab-versions.txt
	touch $@

test-colab: $(COLAB_VENV)/.installed
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	rm -rf build
	cd chapters && ../$(COLAB_VENV)/bin/python -c "import cnnbook, sys; assert 'site-packages' in cnnbook.__file__, cnnbook.__file__"
	$(COLAB_VENV)/bin/python -m pytest $(NBVAL) chapters -q
	$(COLAB_VENV)/bin/python -m pytest -q tests/test_data.py $(wildcard tests/test_widget*.py)

# Debian's Chromium for the browser test (installed when missing and root).
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing: install Debian's chromium package (or set CHROMIUM=/path/to/chromium)"; exit 1; fi

# The built book in headless Chromium (needs `make book` first).
test-browser: $(STAMP) $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/browser -q

# Everything CI runs: library tests, every notebook under nbval in the
# Colab-mirror environment, the book build with -W, the book in a browser.
test: test-lib test-colab book test-browser

clean:
	rm -rf _build build

# JupyterLab on the chapters, for reading and live teaching.
lab: $(STAMP)
	$(BIN)/jupyter lab chapters

# Speed budgets: writes _build/bench/results.json (BENCH_ARGS=--quick for a fast check).
bench: $(STAMP)
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

# A full benchmark whose results the book quotes (data/bench_reference.json).
bench-reference: $(STAMP)
	$(BIN)/python tools/bench.py --save-reference
