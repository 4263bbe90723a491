# linkaudit: `make report` writes the quarter's report package, `make test` runs every test.
SWIFT ?= swift
BIN := .build/release/linkaudit
DB ?= linkaudit.db
INBOX ?= data/inbox
QUARTER ?= latest
DEMO_EVENTS ?= 200000

PREFIX ?= /usr/local

.PHONY: deps build test report render bench stress fuzz format query install clean warehouse-deps warehouse-check

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The warehouse path (warehouse/): PySpark in .build-warehouse/venv, Java checked.
warehouse-deps:
	@scripts/warehouse-deps.sh

# The warehouse path's equivalence: the demo imported directly and through
# the Spark job's bundles must give the same figures (CI runs it after test).
warehouse-check: deps warehouse-deps
	$(SWIFT) build
	@scripts/warehouse-equivalence.sh

# Imports what is new in $(INBOX) (the bundled demo data when it is empty) and
# writes reports/YYYY-Qn/ for $(QUARTER); REASON="…" when a quarter already
# filed is issued again with other figures (its next version).
report: build
	@DB="$(DB)" INBOX="$(INBOX)" QUARTER="$(QUARTER)" DEMO_EVENTS="$(DEMO_EVENTS)" BIN="$(BIN)" REASON="$(REASON)" scripts/report.sh

# The package's workbooks as PDF and PNG pages in PACKAGE.render/ beside it (the
# newest package in reports/ by default), with LibreOffice and poppler.
render:
	@PACKAGE="$(PACKAGE)" scripts/render.sh

bench: build
	@BIN="$(BIN)" scripts/bench.sh

# Long reliability runs: SIGKILL during imports, concurrent imports and reports.
stress: build
	@BIN="$(BIN)" scripts/stress.sh

# Mutation fuzzing of every parser for FUZZ_SECONDS (default 60).
fuzz: deps
	@scripts/fuzz.sh

# The binary in PREFIX/bin, the default templates and rating model beside it
# in PREFIX/share/linkaudit/templates, so report and verify run from any folder.
install: build
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/linkaudit"
	install -m 755 $(BIN) "$(PREFIX)/bin/linkaudit"
	rm -rf "$(PREFIX)/share/linkaudit/templates"
	cp -R templates "$(PREFIX)/share/linkaudit/templates"

query: build
	@$(BIN) query --db "$(DB)" "$(SQL)"

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build bench
