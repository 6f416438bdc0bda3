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
.PHONY: help lab room test bench strip strip-check clean distclean fresh-check hub-check

help:
	@echo "make lab         set up $(VENV) and open JupyterLab at $(START_NOTEBOOK)"
	@echo "make room        set up $(VENV) and serve the apps to participants' browsers (ballots in $(ROOM_FOLDER)/)"
	@echo "make test        set up $(VENV) and run the whole test suite (tests/ and notebooks/)"
	@echo "make bench       run the performance scripts in bench/ (figures beside their budgets)"
	@echo "make strip       strip outputs from the notebooks in $(NOTEBOOK_DIRS) before committing"
	@echo "make strip-check list notebooks that still carry outputs (exit 1 if any)"
	@echo "make preflight   check this machine can run the kit offline (BALLOTS=folder checks a ballot folder too)"
	@echo "make handouts    regenerate the printable handouts in workshops/handouts/ from their single source"
	@echo "make wheelhouse  download everything the kit needs into $(WHEELHOUSE)/ for an offline (USB stick) install"
	@echo "make offline-install WHEELHOUSE=path   set up $(VENV) from a wheelhouse, with no network"
	@echo "make hub-check   add the JupyterHub extra and node's proxy, and run the hub route's smoke test"
	@echo "make fresh-check clone HEAD into a scratch folder and run make test, make lab and make room there, in a new venv"
	@echo "make clean       remove caches and build/test artefacts (keeps $(VENV))"
	@echo "make distclean   clean, and remove $(VENV) as well"
	@echo "Use another interpreter with e.g. 'make lab PYTHON=python3.12';"
	@echo "pass pytest options with e.g. 'make test PYTEST_ARGS=\"-k packaging\"'."

# JupyterLab as the kit opens it: no pop-up asking a learner about Jupyter news, and no update
# checks (offline rooms). The setting ships in jupyter/lab/settings/ and is copied into the venv,
# where JupyterLab reads overrides.d/*.json as the defaults (a learner can still change them).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/dpmkit.json
.PHONY: lab-settings
lab-settings: $(LAB_SETTINGS)
$(LAB_SETTINGS): jupyter/lab/settings/overrides.d/dpmkit.json | $(VENV)/.created
	mkdir -p "$(dir $@)" && cp $< "$@"

lab: $(VENV)/.installed-lab $(LAB_SETTINGS)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS) $(START_NOTEBOOK)

# The room: this laptop serves the apps to every browser on its network (see workshops/room.md).
# Ballots and the room's settings are kept in $(ROOM_FOLDER); run it again with the same folder
# after a stop and nothing is lost. E.g. make room ROOM_TABLES="Red,Blue,Green" ROOM_CODE=TEAL
ROOM_FOLDER ?= room
ROOM_PORT ?= 8866
ROOM_TABLES ?=
ROOM_CODE ?=
ROOM_ARGS ?=
room: $(VENV)/.installed-room
	$(VPY) -m dpmkit.room --folder "$(ROOM_FOLDER)" --port $(ROOM_PORT) \
		$(if $(ROOM_TABLES),--tables "$(ROOM_TABLES)") $(if $(ROOM_CODE),--code "$(ROOM_CODE)") $(ROOM_ARGS)

test: $(VENV)/.installed-test
	$(VPY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	@scripts="$(sort $(wildcard bench/*.py))"; \
	if [ -z "$$scripts" ]; then echo "No bench/*.py scripts yet."; exit 0; fi; \
	for script in $$scripts; do \
		echo "== $$script"; \
		$(VPY) "$$script" || exit $$?; \
	done

# The JupyterHub route's smoke test (tests/test_room_hub.py), which `make test` skips, saying so:
# it needs the hub extra and node's configurable-http-proxy (npm, online once), kept in $(VENV).
CHP_DIR := $(VENV)/chp
hub-check: $(VENV)/.installed-test
	$(PIP) install -e ".[hub]"
	mkdir -p "$(CHP_DIR)" && npm install --prefix "$(CHP_DIR)" --no-audit --no-fund configurable-http-proxy@5
	DPMKIT_TEST_CHP="$(abspath $(CHP_DIR))/node_modules/.bin/configurable-http-proxy" $(VPY) -m pytest -rs tests/test_room_hub.py

# Before every stop: the README's two commands on a fresh clone with a brand-new venv.
fresh-check:
	tools/fresh_clone_check.sh $(PYTHON)

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

$(VENV)/.installed-room: pyproject.toml | $(VENV)/.created
	$(PIP) install -e ".[room]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/.created
	$(PIP) install -e ".[test]"
	@touch $@

# Workshop helpers (see workshops/README.md and workshops/setup.md).
.PHONY: preflight handouts wheelhouse offline-install
BALLOTS ?=
WHEELHOUSE ?= wheelhouse
# Participants' platforms to add to the wheelhouse, e.g.
#   make wheelhouse WHEELHOUSE_PLATFORMS="win_amd64 macosx_12_0_arm64 macosx_10_13_x86_64"
WHEELHOUSE_PLATFORMS ?=
WHEELHOUSE_PYTHONS ?= 3.10 3.11 3.12 3.13
# The extra the wheelhouse carries and offline-install installs: lab (notebooks), or test
# (also `make test`, with the heavier test tools).
WHEELHOUSE_EXTRA ?= lab

# Uses .venv when it exists, otherwise $(PYTHON); never installs anything, so it also
# works in a room without network. The checkout is put on the path so that it runs
# even where dpmkit itself is not installed yet.
preflight:
	@py="$(VPY)"; [ -x "$$py" ] || py="$(PYTHON)"; \
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" "$$py" -m dpmkit.preflight \
		$(if $(BALLOTS),--ballots "$(BALLOTS)") $(PREFLIGHT_ARGS)

handouts:
	@py="$(VPY)"; [ -x "$$py" ] || py="$(PYTHON)"; \
	PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" "$$py" tools/build_handouts.py

# Run with network, before the day. tools/wheelhouse.py builds dpmkit's wheel, then downloads,
# from that wheel's own requirements (so the list is never written twice), the wheels for this
# machine and binary wheels for each WHEELHOUSE_PLATFORMS x WHEELHOUSE_PYTHONS, one pair at a
# time; it ends with a table of the pairs it could not serve and why (also in
# $(WHEELHOUSE)/wheelhouse-report.txt), and fails only if this machine's own wheels are incomplete.
wheelhouse:
	$(PYTHON) tools/wheelhouse.py --dest "$(WHEELHOUSE)" --extra "$(WHEELHOUSE_EXTRA)" \
		--platforms "$(WHEELHOUSE_PLATFORMS)" --pythons "$(WHEELHOUSE_PYTHONS)"

# Needs no network: everything comes from the wheelhouse (--no-index). It makes $(VENV)
# if there is none, installs dpmkit's wheel and its requirements, marks the venv as set
# up (so `make lab`, and with the test extra `make test`, do not try to reinstall), and
# runs the pre-flight check.
offline-install:
	@[ -d "$(WHEELHOUSE)" ] || { \
		echo "error: no wheelhouse folder '$(WHEELHOUSE)'. Pass its path, e.g." >&2; \
		echo "       make offline-install WHEELHOUSE=/media/usb/dpmkit/wheelhouse" >&2; exit 1; }
	@if [ ! -x "$(VPY)" ]; then \
		$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { \
			echo "error: dpmkit needs Python 3.10 or newer; pass PYTHON=/path/to/python3." >&2; exit 1; }; \
		echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV) || exit 1; \
	fi
	@if ls "$(WHEELHOUSE)"/pip-*.whl >/dev/null 2>&1; then \
		$(PIP) install --no-index --find-links "$(WHEELHOUSE)" --upgrade pip; fi
	$(PIP) install --no-index --find-links "$(WHEELHOUSE)" --upgrade "dpmkit[$(WHEELHOUSE_EXTRA)]"
	@touch $(VENV)/.created $(VENV)/.installed-lab
	@if [ "$(WHEELHOUSE_EXTRA)" = test ]; then touch $(VENV)/.installed-test; fi
	$(VPY) -m dpmkit.preflight --quick
