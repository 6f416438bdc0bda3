# The two quick-start commands are `make lab` and `make test`; `make help` lists the rest.
# Both build a virtual environment in $(VENV) from pyproject.toml and only reinstall when
# pyproject.toml has changed since the last install (stamp files inside the venv).

PYTHON ?= python3
VENV ?= .venv

VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip --disable-pip-version-check
START_NOTEBOOK := notebooks/00_start_here.ipynb
# Jupyter refuses to start as root without --allow-root (CI and many containers run as root).
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NOTEBOOK_DIRS := notebooks workshops

.DEFAULT_GOAL := help
.PHONY: help lab test bench strip strip-check clean distclean

help:
	@echo "make lab         set up $(VENV) and open JupyterLab at $(START_NOTEBOOK)"
	@echo "make test        set up $(VENV) and run the whole test suite (tests/ and notebooks/)"
	@echo "make bench       run the performance scripts in bench/ (figures beside their budgets)"
	@echo "make strip       strip outputs from the notebooks in $(NOTEBOOK_DIRS) before committing"
	@echo "make strip-check list notebooks that still carry outputs (exit 1 if any)"
	@echo "make clean       remove caches and build/test artefacts (keeps $(VENV))"
	@echo "make distclean   clean, and remove $(VENV) as well"
	@echo "Use another interpreter with e.g. 'make lab PYTHON=python3.12';"
	@echo "pass pytest options with e.g. 'make test PYTEST_ARGS=\"-k packaging\"'."

lab: $(VENV)/.installed-lab
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) $(START_NOTEBOOK)

test: $(VENV)/.installed-test
	$(VPY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	@scripts="$(sort $(wildcard bench/*.py))"; \
	if [ -z "$$scripts" ]; then echo "No bench/*.py scripts yet."; exit 0; fi; \
	for script in $$scripts; do \
		echo "== $$script"; \
		$(VPY) "$$script" || exit $$?; \
	done

# The strip tool uses only the standard library, so it needs no venv.
strip:
	$(PYTHON) tools/strip_notebooks.py $(NOTEBOOK_DIRS)

strip-check:
	$(PYTHON) tools/strip_notebooks.py --check $(NOTEBOOK_DIRS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis .benchmarks tests/artifacts bench/results
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) -print0 \
		| xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)

# A venv made by a Python older than 3.10 cannot install dpmkit, so check first and say so.
# The stamp is written last, so a venv left half-made by an interrupted run is rebuilt.
$(VENV)/.created:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: '$(PYTHON)' was not found. Install Python 3.10 or newer, or pass PYTHON=/path/to/python3." >&2; \
		exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { \
		echo "error: dpmkit needs Python 3.10 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)." >&2; \
		echo "       Install a newer Python and run e.g. 'make $(or $(MAKECMDGOALS),lab) PYTHON=python3.12'." >&2; \
		exit 1; }
	$(PYTHON) -m venv --clear $(VENV) || { \
		echo "error: could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; \
		rm -rf $(VENV); exit 1; }
	$(PIP) install --upgrade pip
	@touch $@

$(VENV)/.installed-lab: pyproject.toml | $(VENV)/.created
	$(PIP) install -e ".[lab]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/.created
	$(PIP) install -e ".[test]"
	@touch $@
