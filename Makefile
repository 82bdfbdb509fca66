# The book's two commands:  make book  |  make test
# Everything is installed into a local virtual environment (.venv) from pyproject.toml,
# pinned by constraints.txt. PROFILE=smoke runs the book with small parameters.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= full
DATA ?= synthetic
STAMP := $(VENV)/.installed

.PHONY: book test install data clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v < (3, 13) else "cellmotion needs Python 3.10-3.12 (3.11 is what we test); found %d.%d at $(PYTHON). Set PYTHON=python3.11." % v)'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "the venv module is missing: on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(PY) -c "from cellmotion.datasets import ensure_dataset; print(*ensure_dataset('$(DATA)'), sep='\n')"

book: $(STAMP)
	$(PY) -m cellmotion.build --profile $(PROFILE) --dataset $(DATA) $(if $(FORCE),--force) $(if $(DASK),--dask $(DASK)) $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf _build artifacts book/*.ipynb
