# congress-site: the two-command quick start is `make site` and `make test`.
# Every target sets up what it needs itself (.venv, the package and its extras).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n auto


.PHONY: serve-archive site test serve lint format bench profile bench-signing bench-archive clean check audit screenshots

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更高版本 (Python 3.11+ is required)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,wechat,media,print]'
	@touch $(STAMP)

# pywb (`congress archive serve`) in its own environment: it pins old releases of pyOpenSSL
# (so of cryptography), Werkzeug and redis, which the project's environment must not take.
ARCHIVE_STAMP := .venv-archive/.installed-stamp
$(ARCHIVE_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更高版本 (Python 3.11+ is required)"; exit 2; }
	$(PYTHON) -m venv .venv-archive
	.venv-archive/bin/python -m pip install --quiet --upgrade pip
	.venv-archive/bin/python -m pip install --quiet 'pywb>=2.8,<3'
	@touch $(ARCHIVE_STAMP)

serve-archive: $(STAMP) $(ARCHIVE_STAMP)
	$(BIN)/congress archive serve

site: $(STAMP)
	$(BIN)/congress build

serve: $(STAMP)
	$(BIN)/congress serve

check: $(STAMP)
	$(BIN)/congress check

# axe-core for the accessibility tests comes from the npm registry (package-lock.json).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm 不可用：无障碍测试将跳过 (npm not found: accessibility tests will be skipped)"; fi

test: $(STAMP) $(NODE_STAMP) $(ARCHIVE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy generator

format: $(STAMP)
	$(BIN)/ruff check --fix generator tests bench
	$(BIN)/ruff format generator tests bench

# Pelican, for comparison, in its own environment (it pins a Pygments mkdocs-material refuses).
PELICAN_STAMP := .venv-pelican/.installed-stamp
$(PELICAN_STAMP):
	$(PYTHON) -m venv .venv-pelican
	.venv-pelican/bin/python -m pip install --quiet 'pelican>=4.9' markdown
	@touch $(PELICAN_STAMP)

SIZES  ?= 5000 10000
SHAPE  ?= newsroom
# OTHERS=0: mkdocs-material only (no Pelican, no Hugo), for the shapes' table.
OTHERS ?= 1
REPEAT ?= 3
# The generator byte-compiled first, as an installed package is (with PYTHONDONTWRITEBYTECODE
# set, every timed command would otherwise compile it anew).
bench: $(STAMP) $(PELICAN_STAMP)
	@command -v hugo >/dev/null 2>&1 || echo "未安装 hugo：跳过 Hugo 对比（Debian: apt-get install hugo）"
	$(BIN)/python -m compileall -q generator
	$(BIN)/python -m bench.run $(SIZES) --shape $(SHAPE) --repeat $(REPEAT) $(if $(filter 0,$(OTHERS)),--no-others)

# One cold build (or check: COMMAND=check) of a bench corpus under cProfile: top 15 lines.
N ?= 5000
COMMAND ?= build
profile: $(STAMP)
	$(BIN)/python -m bench.profile $(N) --shape $(SHAPE) --command $(COMMAND)

# What signed approvals cost (bench/signing.py): verification, cold and warm check, a scheduled
# build, against BEFORE (a commit before signatures), and signing N articles in one command.
SIGN_N ?= 10000
BEFORE ?= 11c06dd
bench-signing: $(STAMP)
	$(BIN)/python -m bench.signing $(SIGN_N) --before $(BEFORE) --repeat $(REPEAT)

# What the web archive costs (bench/archive.py): archiving a full publication, an unchanged one
# and a one-article correction, against a full build of the same corpus.
ARCHIVE_N ?= 10000
bench-archive: $(STAMP)
	$(BIN)/python -m bench.archive $(ARCHIVE_N) --repeat $(REPEAT)

screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf site build .site-staging* .pytest_cache .mypy_cache .ruff_cache
