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
# ipykernel 6.17 (Colab's) on Python 3.13 imports debugpy, which warns about frozen modules on start.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: env book slides site student-edition assignments test-editions lint test test-lib test-notebooks test-colab test-colab-previous test-gpu test-book test-browser lab bench bench-reference clean

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

# One reveal.js deck per lecture session (the teaching page's run sheets), from the
# chapters' stored outputs: _build/slides/<session>.html, each a single offline file.
SLIDES := _build/slides
slides: $(STAMP)
	$(BIN)/python tools/slides.py --out $(SLIDES)

# The published site (.github/workflows/pages.yml): the book with the decks under slides/.
SLIDES_SITE := _build/html/slides
site: book
	$(BIN)/python tools/slides.py --out $(SLIDES_SITE)

# The student edition: every chapter without its solutions (cells tagged `solution`) and
# its HTML book, from the stored outputs; fails if a page still shows a solution line.
student-edition: $(STAMP)
	$(BIN)/python tools/editions.py student

# One graded assignment per chapter (otter-grader) in _build/assignments/<chapter>/dist:
# student/ (to hand out) and autograder/ (the zip for `otter run`). GRADE=1 also grades
# the reference solutions (full marks) and the untouched student notebook (no marks).
assignments: $(STAMP)
	$(BIN)/python tools/editions.py assignments $(if $(GRADE),--grade)

# The two editions from a fresh clone: the student edition (no solution left in its
# pages), and one chapter's assignment graded: the reference solutions get full marks,
# the untouched student notebook none.
test-editions: student-edition
	$(BIN)/python tools/editions.py assignments --grade chapters/04_parameters.ipynb

# The library's tests and every docstring example in lib/cnnbook.
test-lib: $(STAMP)
	$(BIN)/python -m pytest tests lib/cnnbook --doctest-modules -q --ignore=tests/browser

# ruff: lint rules and formatting (configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .

# The notebooks under nbval in the development environment.
test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) chapters -q

# The Colab mirror: a second environment, .venv-colab, on Colab's Python
# (3.13, found under pyenv or named by COLAB_PYTHON) with exactly the versions
# Colab ships (tools/colab-versions.txt) and the test tools; cnnbook is then
# installed into it by the chapters' own Colab set-up cell
# (tests/test_colab_setup.py), from a local copy of the repository at the release tag.
COLAB_VERSIONS := tools/colab-versions.txt
COLAB_VENV := .venv-colab
COLAB_BIN := $(COLAB_VENV)/bin
COLAB_TEST_TOOLS := "nbval==0.11.0" "nbclient>=0.10,<0.12" "pytest>=8,<10" "hypothesis>=6.100,<7" "pyyaml>=6,<7"
PYENV_ROOT ?= $(HOME)/.pyenv
# The newest pyenv interpreter of a version (e.g. 3.13), else pythonX.Y on the PATH.
find_python = $(or $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python))),$(shell command -v python$(1) 2>/dev/null))
COLAB_PYTHON_VERSION := $(shell sed -n 's/^\# COLAB_PYTHON_VERSION=\([0-9]*\.[0-9]*\).*/\1/p' $(COLAB_VERSIONS))
COLAB_PYTHON ?= $(call find_python,$(COLAB_PYTHON_VERSION))
# Says loudly, on every run, when the mirror is not on Colab's Python.
CHECK_INTERPRETER = $(1)/bin/python -c "import sys; v = '%d.%d' % sys.version_info[:2]; \
	sys.stderr.write('' if v == '$(2)' else '\n' + '!' * 78 + '\n!!! NOT THE COLAB INTERPRETER: $(1) runs Python ' + v + ', Colab runs $(2).\n!!! Install Python $(2) (e.g. pyenv install $(2)) or name one with COLAB_PYTHON (PREVIOUS_PYTHON for the previous runtime).\n' + '!' * 78 + '\n\n')"

# $(1): the venv, $(2): the interpreter, $(3): Python's X.Y there, $(4): a command writing $(1)/pins.txt,
# $(5): more requirements (within the pins)
define make_colab_venv
	rm -rf $(1)
	$(or $(2),$(PYTHON)) -m venv $(1)
	@$(call CHECK_INTERPRETER,$(1),$(3))
	$(4)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet -r $(1)/pins.txt -c $(1)/pins.txt $(5)
	$(1)/bin/python -m pip install --quiet -c $(1)/pins.txt $(COLAB_TEST_TOOLS)
	$(1)/bin/python -m pip freeze --all > $(1)/colab-base.txt
	touch $(1)/.installed
endef

$(COLAB_VENV)/.installed: $(COLAB_VERSIONS)
	$(call make_colab_venv,$(COLAB_VENV),$(COLAB_PYTHON),$(COLAB_PYTHON_VERSION),cp $(COLAB_VERSIONS) $(COLAB_VENV)/pins.txt)

# $(1): the mirror; $(2): environment settings for its commands.
# 1. the set-up cell installs cnnbook into the mirror as in Colab (and checks the install),
# 2. every chapter runs once there (nbtool test: errors fail, nbval-check-output cells are
#    compared with the committed outputs); the executed notebooks land in _build/executed/,
# 3. the data and widget tests run there.
define colab_tests
	@$(call CHECK_INTERPRETER,$(1),$(COLAB_PYTHON_VERSION))
	$(2) CNNBOOK_COLAB_MIRROR=1 $(1)/bin/python -m pytest -q tests/test_colab_setup.py
	$(2) $(1)/bin/python tools/nbtool.py test
	$(2) $(1)/bin/python -m pytest -q tests/test_data.py $(wildcard tests/test_widget*.py)
	@$(call CHECK_INTERPRETER,$(1),$(COLAB_PYTHON_VERSION))
endef

test-colab: $(COLAB_VENV)/.installed
	$(call colab_tests,$(COLAB_VENV))

# The GPU check, on any machine with an NVIDIA GPU and driver: the Colab mirror
# with TensorFlow's CUDA build (tensorflow[and-cuda] at Colab's version, and the
# CUDA packages of Colab's GPU runtime), everything test-colab runs, under
# CNNBOOK_REQUIRE_GPU=1: a chapter whose TensorFlow sees no GPU fails at its first cell.
GPU_VENV := .venv-colab-gpu
$(GPU_VENV)/.installed: $(COLAB_VERSIONS)
	$(call make_colab_venv,$(GPU_VENV),$(COLAB_PYTHON),$(COLAB_PYTHON_VERSION),{ cat $(COLAB_VERSIONS); sed -n 's/^\# GPU: //p' $(COLAB_VERSIONS); } > $(GPU_VENV)/pins.txt,"tensorflow[and-cuda]")

test-gpu: $(GPU_VENV)/.installed
	$(call colab_tests,$(GPU_VENV),CNNBOOK_REQUIRE_GPU=1)

# The previous Colab runtime (still selectable): Python 3.12 and numpy 2.0.2,
# the rest as today; the library and widget tests (not the notebooks) run there, not
# the tests of the book's own build tools (jupyter-book, the decks' markdown-it plugins),
# which a Colab runtime does not have.
PREVIOUS_VENV := .venv-colab-previous
PREVIOUS_PYTHON_VERSION := $(shell sed -n 's/^\# PREVIOUS_PYTHON_VERSION=\([0-9]*\.[0-9]*\).*/\1/p' $(COLAB_VERSIONS))
PREVIOUS_NUMPY := $(shell sed -n 's/^\# PREVIOUS_NUMPY=\(.*\)/\1/p' $(COLAB_VERSIONS))
PREVIOUS_PYTHON ?= $(call find_python,$(PREVIOUS_PYTHON_VERSION))
$(PREVIOUS_VENV)/.installed: $(COLAB_VERSIONS)
	$(call make_colab_venv,$(PREVIOUS_VENV),$(PREVIOUS_PYTHON),$(PREVIOUS_PYTHON_VERSION),sed 's/^numpy==.*/numpy==$(PREVIOUS_NUMPY)/' $(COLAB_VERSIONS) > $(PREVIOUS_VENV)/pins.txt)

test-colab-previous: $(PREVIOUS_VENV)/.installed
	@$(call CHECK_INTERPRETER,$(PREVIOUS_VENV),$(PREVIOUS_PYTHON_VERSION))
	$(PREVIOUS_VENV)/bin/python -m pip uninstall --quiet --yes cnnbook
	$(PREVIOUS_VENV)/bin/python -m pip install --quiet -c $(PREVIOUS_VENV)/pins.txt .
	$(PREVIOUS_VENV)/bin/python -m pytest -q tests --ignore=tests/browser \
		--ignore=tests/test_colab_setup.py --ignore=tests/test_book.py --ignore=tests/test_teaching.py

# Debian's Chromium for the browser test (installed when missing and root).
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing: install Debian's chromium package (or set CHROMIUM=/path/to/chromium)"; exit 1; fi

# The built book in headless Chromium (needs `make book` first).
test-browser: $(STAMP) $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/browser -q

# The book from the notebooks test-colab executed and checked: their outputs go
# into the build's execution cache, so the build runs no chapter again (and
# fails if it did; --all: every page is read again, so no page keeps older outputs);
# on a fresh clone `make book` alone executes the chapters itself.
BOOK_LOG := _build/book-build.log
test-book: $(STAMP)
	$(BIN)/python tools/nbtool.py cache
	$(BIN)/jupyter-book build . --all -W -n --keep-going > $(BOOK_LOG) 2>&1; status=$$?; cat $(BOOK_LOG); exit $$status
	@if grep -n "Executing notebook" $(BOOK_LOG); then \
		echo "The book build executed the chapters above again: their code differs from what test-colab ran."; exit 1; fi

# Everything CI runs (README, "The two commands"): library tests and doctests,
# the Colab mirror (set-up cell, every chapter once, widget tests), the
# previous Colab runtime (library tests), the book from those executed
# chapters, the book in a browser, the student edition and a graded assignment,
# and the linter.
test: test-lib test-colab test-colab-previous test-book test-browser test-editions lint

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
