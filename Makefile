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
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(PY) -c "from cellmotion.simulate import ensure_default_dataset; print(ensure_default_dataset())"

book: $(STAMP)
	$(PY) -m cellmotion.build --profile $(PROFILE) --dataset $(DATA) $(if $(FORCE),--force)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf _build artifacts book/*.ipynb
