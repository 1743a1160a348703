# borderzone: two commands.
#   make run   - install, start the embedded PostGIS, load the real data, serve on :8000
#   make test  - install, start the embedded PostGIS, run linters and the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: install db data run test lint bench wrk clean-db tools browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

db: install
	$(BIN)/borderzone db up

data: db
	$(BIN)/borderzone data load

run: data
	$(BIN)/borderzone serve

lint: install
	$(BIN)/ruff check geo api tests bench
	$(BIN)/lint-imports

# GDAL's command-line tools (ogrinfo, ogr2ogr: the OGC API acceptance tests), installed from
# Debian's packages like PostgreSQL (geo/store/embedded.py): as root, else the command to run
tools:
	@command -v ogr2ogr >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "GDAL tools missing: installing gdal-bin ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q gdal-bin; \
	  else echo "GDAL's ogr2ogr is missing: run  apt-get install -y gdal-bin" >&2; exit 1; fi; }

# Debian's chromium for the dashboard's browser test (Playwright drives it; no download)
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 || \
	  { echo "chromium is missing; as root: apt-get install -y chromium"; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

test: lint db tools browser
	$(BIN)/python -m pytest -p no:cacheprovider

# wrk drives the HTTP load benchmark: present, installed (as root), or a clear stop before
# anything else runs (data is made after the check, even under make -j)
bench: wrk
	$(MAKE) data
	$(BIN)/python bench/run_all.py

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing wrk (apt-get install -y wrk)"; \
	    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y wrk; }; \
	  else \
	    echo "make bench needs wrk (HTTP load generator): install it first, e.g." \
	         "'sudo apt-get install wrk' (Debian/Ubuntu) or 'brew install wrk' (macOS)" >&2; \
	    exit 1; \
	  fi; }
	@command -v wrk >/dev/null 2>&1 || { echo "wrk could not be installed; make bench stops" >&2; exit 1; }

clean-db:
	-$(BIN)/borderzone db down
	rm -rf .borderzone
