# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint bench clean browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The web app on http://127.0.0.1:7860, offline unless an endpoint is configured (see README).
run: $(STAMP)
	$(PY) -m ui.app

# The browser journey needs Debian's chromium and CJK fonts (playwright cannot download a browser here).
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium and fonts-noto-cjk (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "note: chromium/fonts-noto-cjk missing and cannot be installed here; the browser test will say so"; fi

test: $(STAMP) browser-deps
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check tools assistant ui prompts tests bench

bench: $(STAMP)
	$(PY) bench/bench_core.py
	$(PY) bench/bench_planner.py
	$(PY) bench/bench_llm_roundtrips.py
	@if [ -f bench/bench_ui.py ]; then $(PY) bench/bench_ui.py; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
