# pressroom: `make` builds every document into build/; `make test` runs the test suite.
# The first `make` creates .venv and installs the pinned dependencies (pyproject.toml).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BUILD  := build
ARGS   ?=

.DEFAULT_GOAL := all
.PHONY: all test lint clean distclean setup reference-docx

# The build writes the list of outputs (documents x formats) and one depfile per output,
# naming every file that output was made from. make decides *whether* to call pressroom;
# pressroom, reading the same depfiles, decides *which* outputs to remake.
-include $(BUILD)/.deps/outputs.mk
OUTPUTS ?= $(foreach d,$(basename $(notdir $(wildcard manuscript/*.md))),$(foreach f,html docx pdf,$(BUILD)/$(d).$(f)))
-include $(wildcard $(BUILD)/.deps/*.d)

all: $(OUTPUTS)

$(OUTPUTS) &: $(STAMP)
	@$(PY) build.py $(ARGS) build

# Outputs are written atomically; an interrupted build must not delete the last good ones.
.PRECIOUS: $(OUTPUTS)

$(BUILD)/.deps/outputs.mk: $(wildcard manuscript/*.md) | $(STAMP)
	@mkdir -p $(@D)
	@$(PY) build.py outputs > $@.tmp && mv $@.tmp $@

setup: $(STAMP)

$(STAMP): pyproject.toml tools/system-deps.sh
	@tools/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

test: $(STAMP) lint
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check pressroom tests tools build.py
	$(PY) -m mypy

reference-docx: $(STAMP)
	$(PY) tools/make_reference_docx.py

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV)
