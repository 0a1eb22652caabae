# pressroom: `make` builds every document into build/; `make test` runs the test suite.
# The first `make` creates .venv and installs the pinned runtime dependencies (pyproject.toml);
# `make test` adds the development tools (pytest, ruff, mypy: the `dev` extra).
# Another project can use this file too: `make -f /path/to/pressroom/Makefile` in its folder.

TOOLKIT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PYTHON  ?= python3
VENV    := $(TOOLKIT)/.venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# The oldest Python pressroom runs on: pyproject.toml's requires-python.
MIN_PYTHON := 3.11
BUILD   := build
ARGS    ?=
BUILDPY := $(PY) $(TOOLKIT)/build.py --project . $(ARGS)
# A Python too old for pressroom: one line, before any venv is made.
PYCHECK := import sys; v = tuple(map(int, "$(MIN_PYTHON)".split("."))); \
  sys.exit(0 if sys.version_info >= v else "pressroom needs Python $(MIN_PYTHON) or newer; \
  %s is %s (choose one with: make PYTHON=python3.12)" % (sys.executable, sys.version.split()[0]))

.DEFAULT_GOAL := all
.PHONY: all test lint clean distclean setup reference-docx watch bench handout check submission \
        content-check

# The build writes the list of outputs (documents x formats, build/.deps/outputs.mk) and
# built.d, every file any output was made from. make decides *whether* to call pressroom;
# pressroom, from its record of each output's inputs and their hashes (build/.deps/*.json),
# decides *which* outputs to remake. Until
# the build has seen the current set of documents (a first build, a new or removed .md), every
# document's three formats stand in, and that one build writes the exact list.
-include $(BUILD)/.deps/outputs.mk
# A folder of .md files is one document (not partials/, data/ or _name/: what documents include).
FOLDER_DOCS := $(filter-out partials data _% .%,$(patsubst manuscript/%/,%,$(dir $(wildcard manuscript/*/*.md))))
DOCS := $(sort $(basename $(notdir $(wildcard manuscript/*.md))) $(FOLDER_DOCS))
ifneq ($(DOCS),$(OUTPUTS_DOCS))
OUTPUTS := $(foreach d,$(DOCS),$(foreach f,html docx pdf,$(BUILD)/$(d).$(f)))
endif
-include $(BUILD)/.deps/built.d

all: $(BUILD)/.deps/built

# The stamp is newer than every output's inputs after a good build (built.d lists them all);
# a missing output (its empty rule) also brings the build on, which remakes what is stale.
# (Not a grouped target, `&:`: GNU make 4.3 holds each member to every member's inputs.)
$(OUTPUTS) $(BUILD)/.deps/built.d: ;

$(BUILD)/.deps/built: $(OUTPUTS) $(BUILD)/.deps/built.d $(STAMP)
	@$(BUILDPY) build

# Outputs are written atomically; an interrupted build must not delete the last good ones.
.PRECIOUS: $(OUTPUTS)

# The one-page talk handout alone: `make handout PAPER=letter` for US Letter (default A4).
PAPER ?=
handout: $(STAMP)
	@$(BUILDPY) $(if $(PAPER),--paper $(PAPER)) build handout

# Preflight: word counts, limits, unused references, fonts (fails the build on a broken limit).
check: $(STAMP)
	@$(BUILDPY) check

# What a conference asks for, in build/submission/; BLIND=1 for blind review.
submission: $(STAMP)
	@$(BUILDPY) submission $(if $(BLIND),--blind)

# What changed since an earlier version, in build/diff/: `make diff FROM=v1` (a git revision of
# the project, or a folder holding another copy of it); TO=REV (default: the working tree),
# AUTHOR="Name", BLIND=1.
.PHONY: diff
diff: $(STAMP)
	$(if $(FROM),,$(error make diff needs FROM=REV, e.g. make diff FROM=v1))
	@$(BUILDPY) diff --from "$(FROM)" $(if $(TO),--to "$(TO)") $(if $(AUTHOR),--author "$(AUTHOR)") $(if $(BLIND),--blind)

# Live preview: serves build/ on http://127.0.0.1:$(PORT)/ and rebuilds on every change.
PORT ?= 8000
watch: $(STAMP)
	@$(BUILDPY) watch --port $(PORT)

# The benchmark: measures this machine and writes bench/RESULTS.md (several minutes).
bench: $(DEVSTAMP)
	cd $(TOOLKIT) && $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	cd $(TOOLKIT) && $(PY) bench/run.py

setup: $(STAMP)

# A venv left by a Python that is too old (an earlier failed `make`) is made anew.
$(STAMP): $(TOOLKIT)/pyproject.toml $(TOOLKIT)/tools/system-deps.sh
	@$(PYTHON) -c '$(PYCHECK)'
	@$(TOOLKIT)/tools/system-deps.sh
	@if [ -x $(PY) ] && ! $(PY) -c '$(PYCHECK)' 2>/dev/null; then rm -rf $(VENV); fi
	@echo "pressroom: installing its pinned runtime dependencies into $(VENV) (first run: about a minute)"
	@cd $(TOOLKIT) && $(PYTHON) -m venv .venv
	@cd $(TOOLKIT) && .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

# The development tools (tests, linters, type checker) for `make test`.
$(DEVSTAMP): $(STAMP)
	@echo "pressroom: adding the development tools (pytest, ruff, mypy) to $(VENV)"
	@cd $(TOOLKIT) && .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Two workers, each taking whole test files (module fixtures such as the watch process are set
# up once); a plain `pytest` runs in one process.
# The toolkit's modules compiled first, as an installed package's are: the suite starts
# hundreds of builds, and where PYTHONDONTWRITEBYTECODE is set each would compile them again.
# pytest keeps its assert-rewritten test modules too (tests/__pycache__), for each worker of
# the next run to load rather than rewrite (3-4 s of CPU at each worker's start).
test: lint
	cd $(TOOLKIT) && PYTHONDONTWRITEBYTECODE= $(PY) -m compileall -q pressroom tests build.py >/dev/null
	cd $(TOOLKIT) && PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# The sample paper's own content (originality against the seed texts in $PRESSROOM_SEEDS, its
# notes, words and references): not part of `make test`, which checks the toolkit only.
content-check: $(DEVSTAMP)
	cd $(TOOLKIT) && $(PY) -m pytest tests/content

lint: $(DEVSTAMP)
	cd $(TOOLKIT) && $(PY) -m ruff check pressroom tests tools build.py bench
	cd $(TOOLKIT) && $(PY) -m mypy

reference-docx: $(DEVSTAMP)
	$(PY) $(TOOLKIT)/tools/make_reference_docx.py

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV)
