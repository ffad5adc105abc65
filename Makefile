# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint bench clean browser-deps tex-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The web app on http://127.0.0.1:7860, offline unless an endpoint is configured (see README).
run: $(STAMP)
	$(PY) -m ui.app

# The browser journey needs Debian's chromium (playwright cannot download a browser here) and the fonts the page
# names (ui/app.py FONT): Noto Sans, Noto Sans CJK, Noto Color Emoji; DejaVu comes with Debian. The app itself
# downloads no font: a machine without these shows the next font of the list.
BROWSER_PACKAGES := chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
		&& fc-list 2>/dev/null | grep -qi "Noto Color Emoji" && fc-list 2>/dev/null | grep -qi "NotoSans-Regular"; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing $(BROWSER_PACKAGES) (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	else echo "note: chromium or the fonts are missing and cannot be installed here; the browser test will say so"; fi

# The LaTeX export is compiled by the tests (pdflatex; xelatex with ctex; bibtex): Debian's TeX Live, only the
# packages that hold them (siunitx is in texlive-science, ctex and its Fandol fonts in texlive-lang-chinese).
TEX_PACKAGES := texlive-latex-recommended texlive-science texlive-xetex texlive-lang-chinese
tex-deps:
	@if command -v pdflatex >/dev/null && command -v xelatex >/dev/null && command -v bibtex >/dev/null \
		&& kpsewhich siunitx.sty natbib.sty booktabs.sty ctex.sty >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing TeX Live: $(TEX_PACKAGES) (apt)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(TEX_PACKAGES) >/dev/null; \
	else echo "note: TeX Live is missing and cannot be installed here; the LaTeX compile tests will say so"; fi

test: $(STAMP) browser-deps tex-deps
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check tools assistant ui prompts tests bench

bench: $(STAMP)
	$(PY) bench/bench_speed.py
	$(PY) bench/bench_core.py
	$(PY) bench/bench_parse.py
	$(PY) bench/bench_planner.py
	$(PY) bench/bench_llm_roundtrips.py
	$(PY) bench/bench_trace.py dev heldout
	$(PY) bench/bench_fuzz.py
	@if [ -f bench/bench_ui.py ]; then $(PY) bench/bench_ui.py; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
