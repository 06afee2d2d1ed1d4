# The two commands README gives: `make book` and `make test`.
# Each sets up everything it needs on a fresh machine with Python 3.11+ and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

.PHONY: env book test test-lib test-notebooks lab clean

# A virtual environment with the pinned toolchain and cnnbook (editable).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

env: $(STAMP)

# Execute every chapter and build the HTML book: _build/html/index.html
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test-lib: $(STAMP)
	$(BIN)/python -m pytest tests -q

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) chapters -q

# Everything CI runs: library tests, notebooks under nbval, the book build.
test: test-lib test-notebooks book

clean:
	rm -rf _build

# JupyterLab on the chapters, for reading and live teaching.
lab: $(STAMP)
	$(BIN)/jupyter lab chapters
