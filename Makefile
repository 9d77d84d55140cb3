# Xiaobao — `make demo` serves the demo bank; `make test` runs the suite (SQLite, and PostgreSQL when
# DATABASE_URL points at one). Both work from a fresh clone on a machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ENV := XIAOBAO_DEBUG=1 XIAOBAO_DATA_DIR=$(CURDIR)/var
TEST_ENV := XIAOBAO_TESTING=1 XIAOBAO_DATA_DIR=$(CURDIR)/var/test
PYTEST_ARGS ?= -q

.PHONY: vendor install demo serve test test-sqlite test-clock-ahead test-postgres test-browser lint typecheck bench bench-inspections bench-review bench-exams bench-micro bench-classifier messages clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@# directory sign-in: python-ldap compiles against OpenLDAP's headers (libldap2-dev, libsasl2-dev)
	if [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ]; then \
	  $(BIN)/python -m pip install -q -c requirements.lock -e '.[dev,ldap]'; \
	else echo "note: OpenLDAP headers missing (apt-get install libldap2-dev libsasl2-dev): no LDAP sign-in"; fi
	$(MAKE) --no-print-directory vendor
	touch $(STAMP)

# Front-end files from the npm registry (pinned in package-lock.json), served by Django: no CDN.
VENDOR := xiaobao/static/vendor
vendor:
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/echarts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(VENDOR)/echarts/

demo: install
	$(DEMO_ENV) $(BIN)/xiaobao migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/xiaobao demo_load
	@echo ""
	$(DEMO_ENV) $(BIN)/xiaobao demo_serve 127.0.0.1:8000

test: install test-sqlite
	@case "$$DATABASE_URL" in postgres*) $(MAKE) --no-print-directory test-postgres ;; esac

# The suite in two parallel workers (pytest-xdist; each with its own data directory and test database),
# then the tests that commit (marked `serial`: they flush the database) in one process.
PARALLEL ?= -n 2 --dist loadscope
PYTEST_PARALLEL = $(BIN)/pytest $(PARALLEL) -m "not browser and not serial" $(PYTEST_ARGS)
PYTEST_SERIAL = $(BIN)/pytest -m "serial and not browser" $(PYTEST_ARGS)

test-sqlite: install
	env -u DATABASE_URL $(TEST_ENV) $(PYTEST_PARALLEL)
	env -u DATABASE_URL $(TEST_ENV) $(PYTEST_SERIAL)

# The suite once more with the system clock a year ahead (Debian's libfaketime): tests pin the dates they need.
CLOCK_AHEAD ?= +365d
test-clock-ahead: install
	env -u DATABASE_URL $(TEST_ENV) faketime -f "$(CLOCK_AHEAD)" $(PYTEST_PARALLEL)
	env -u DATABASE_URL $(TEST_ENV) faketime -f "$(CLOCK_AHEAD)" $(PYTEST_SERIAL)

test-postgres: install
	$(TEST_ENV) $(PYTEST_PARALLEL)
	$(TEST_ENV) $(PYTEST_SERIAL)

test-browser: install
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/pytest -m browser -p no:randomly $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	XIAOBAO_TESTING=1 $(BIN)/mypy xiaobao

# The benchmark suite (bench/run.py) at BENCH_SCALE complaints, on PostgreSQL at 127.0.0.1 (database
# xiaobao_bench_<scale>, created and filled when missing) or on BENCH_DATABASE_URL; figures in var/bench/.
BENCH_SCALE ?= 10000
bench: install
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python bench/run.py $(BENCH_ARGS)

# Inspections and rectification at 10,000 outlets (bench/inspections_bench.py): fills the scratch database
# when empty (bulk), then the list pages, the statistics section and one sweeper pass over 100,000 clocks.
BENCH_INSPECTIONS_URL ?= postgres://postgres@127.0.0.1:5432/xiaobao_bench_inspections
bench-inspections: install
	DATABASE_URL=$(BENCH_INSPECTIONS_URL) XIAOBAO_DATA_DIR=$(CURDIR)/var/bench/inspections $(BIN)/python bench/inspections_bench.py $(BENCH_ARGS)

# Review: the wording checker's quality on the labelled sets and its speed (one core), upload checks and
# extraction of a 50-page document, and the review figures/export at 20,000 reviews (SQLite scratch data dir).
bench-review: install
	XIAOBAO_TESTING=1 $(BIN)/python bench/checker_quality.py
	XIAOBAO_TESTING=1 $(BIN)/python bench/checker_speed.py
	XIAOBAO_TESTING=1 $(BIN)/python bench/extract_speed.py
	mkdir -p var/bench
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench/review-bench.sqlite3 $(BIN)/python bench/review_figures_bench.py $(BENCH_ARGS)

# Exams and training (bench/exams_bench.py) on PostgreSQL (xiaobao_bench_exams, created and filled when empty:
# 100,000 staff with a year of attendance, 2,000 candidates' accounts, the question bank — bulk): 2,000
# candidates sitting one 30-minute exam through gunicorn with the production settings, driven from a separate
# asyncio process (save p50/p95/p99, submit, every saved answer checked graded in the database), then training
# coverage for head office. A quick run: BENCH_ARGS="--minutes 4 --candidates 300".
BENCH_EXAMS_URL ?= postgres://postgres@127.0.0.1:5432/xiaobao_bench_exams
bench-exams: install
	BENCH_DATABASE_URL=$(BENCH_EXAMS_URL) $(BIN)/python bench/exams_bench.py $(BENCH_ARGS)

bench-micro: install
	$(BIN)/python bench/calendar_bench.py
	$(BIN)/python bench/org_bench.py

# Assisted classification (bench/classifier_bench.py): the CFPB narratives imported through the cfpb preset into
# a fresh scratch SQLite file, trained from the database (80/20, seeds 1-3, with the baseline), suggestion
# latency, similar complaints, and training time on 100,000 synthetic complaints.
bench-classifier: install
	mkdir -p var/bench
	rm -f var/bench/classifier-bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/bench/classifier-bench.sqlite3 XIAOBAO_DATA_DIR=$(CURDIR)/var/bench/classifier $(BIN)/python bench/classifier_bench.py --seeds 1,2,3 $(BENCH_ARGS)

messages: install
	cd xiaobao && XIAOBAO_TESTING=1 ../$(BIN)/xiaobao makemessages -l zh_Hans --no-obsolete && XIAOBAO_TESTING=1 ../$(BIN)/xiaobao compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var
