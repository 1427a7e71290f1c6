# Two commands on a fresh machine: `make demo` and `make test`. Both build what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo app test test-fast lint typecheck bench bench-full fuzz browser-deps pdf-deps schemas golden clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,browser,lint,preview,pdf,peers,app]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Debian chromium + Java (for the Nu HTML checker) + npm packages (axe-core, vnu-jar).
browser-deps:
	bash scripts/setup-browser.sh

# Pango and a font for WeasyPrint, so the demo site carries PDF handouts.
pdf-deps:
	bash scripts/setup-browser.sh --pdf-only

demo: $(STAMP) pdf-deps
	$(BIN)/worksheetkit validate examples
	$(BIN)/worksheetkit site examples -o site
	@echo "Open site/index.html in a browser (works from file://, no server needed)."

# The reference homework app (examples/app/) on http://127.0.0.1:8000; its SQLite file
# worksheetkit-app.db is written here (WK_APP_DATABASE=postgresql+psycopg://… for PostgreSQL).
app: $(STAMP)
	$(BIN)/python -m examples.app

# Dead code: vulture over src ([tool.vulture] in pyproject.toml; vulture_whitelist.py says why
# each name it cannot see as used is kept).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests
	$(BIN)/vulture

typecheck: $(STAMP)
	$(BIN)/mypy src

test: $(STAMP) browser-deps lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The quick loop: no browser, no test marked slow, each property test with a tenth of its
# examples (hypothesis profile "fast", tests/conftest.py). `make test` runs everything in full.
# tests/browser holds browser tests only (each module is marked `browser`): not even imported
# here. Bytecode is cached (even where PYTHONDONTWRITEBYTECODE is set): otherwise every run
# compiles worksheetkit and rewrites every test module's asserts again, about 5 s of CPU.
test-fast: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser and not slow" --hypothesis-profile=fast --ignore=tests/browser

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The same, with the scaling table's largest sizes (100k worksheets, 1M occurrences): long.
bench-full: $(STAMP)
	$(BIN)/python bench/run_all.py --full

fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	$(BIN)/python tests/fuzz/run.py --seconds $${FUZZ_SECONDS:-60}

# After an intended change to rendering or to examples/: rewrite the golden renders.
golden: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_render_golden.py --update-golden

schemas: $(STAMP)
	$(BIN)/python scripts/write_schemas.py

clean:
	rm -rf $(VENV) site node_modules .mypy_cache .ruff_cache
