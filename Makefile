# Tenant Trust: `make demo` and `make test` set everything up on a fresh machine.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# The first interpreter found that is Python >= 3.12.
FIND_PYTHON := for c in python3.12 python3.13 python3.14 python3 python; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then echo $$c; break; fi; done

.PHONY: setup demo test browser lint format bench lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@py=$$($(FIND_PYTHON)); \
	if [ -z "$$py" ]; then \
		echo "Tenant Trust needs Python 3.12 or newer, and none was found."; \
		echo "Install it, e.g. 'pyenv install 3.12' (this repository's .python-version asks for 3.12),"; \
		echo "'uv python install 3.12', or your system's python3.12 package, then run make again."; \
		exit 1; \
	fi; \
	echo "Setting up $(VENV) with $$($$py --version)"; \
	$$py -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]' && \
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tenant-trust compare --out results/demo

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q

# The dashboard's browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download is never used). Installed as root with apt-get; elsewhere install it yourself, or they are skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else \
			echo "chromium not found: the dashboard's browser tests will be skipped (Debian: apt-get install chromium)"; \
		fi; }

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) benchmarks/bench_speed.py
	$(PY) benchmarks/bench_memory.py
	$(PY) benchmarks/bench_parallel.py
	$(PY) benchmarks/bench_dashboard.py

# Re-pin every dependency to the versions installed now.
lock: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^tenant-trust' > requirements.lock

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache .hypothesis
