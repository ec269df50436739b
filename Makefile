# Goodwill: `make demo` runs it, `make test` tests it. Both work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
GOODWILL := $(BIN)/goodwill
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-browser bench lint clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(GOODWILL) migrate --noinput
	$(GOODWILL) seed-demo
	$(GOODWILL) collectstatic --noinput --verbosity 0
	@echo
	@echo "  Goodwill is running on http://$(HOST):$(PORT)/"
	@echo "  Sign in as admin@example.com / goodwill-admin (admin)"
	@echo "         or agent@example.com / goodwill-agent (agent)"
	@echo "  Stop with Ctrl-C."
	@echo
	@$(GOODWILL) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(GOODWILL) serve --host $(HOST) --port $(PORT) --no-collectstatic

serve: install
	$(GOODWILL) migrate --noinput
	@$(GOODWILL) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(GOODWILL) serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest -q -n 2 --dist loadfile

# pytest's exit code 5 means "no tests collected": not a failure while no browser test exists.
test-browser: install
	@status=0; $(BIN)/pytest -q -m browser -p no:xdist || status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no browser tests collected"; exit 0; fi; exit $$status

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy goodwill
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) data .pytest_cache
