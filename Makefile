# wresbench: every CI step is a target here; `make help` lists them.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_OUT ?= demo-out

.PHONY: help demo test lint fmt bench bench-criterion build screenshot

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## Build the release binary
	$(CARGO) build --release --locked

demo: ## Generate the national synthetic dataset and run the whole pipeline on it
	$(CARGO) run --locked --quiet -- demo --out $(DEMO_OUT)

test: ## Run every test (unit, integration, query plan check, doc tests) in one build
	$(CARGO) test --locked --all-targets
	$(CARGO) test --locked --doc

lint: ## Formatting and clippy, warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
BENCH_SCALES ?= 1,4,20
bench: build ## BENCHMARKS.md's table: wresbench beside the Python + DuckDB pipeline, decade, --scale 4 and 20 (pip install duckdb xlsxwriter; about 22 minutes)
	python3 benches/compare.py --bin $(TARGET_DIR)/release/wresbench --scales $(BENCH_SCALES)

bench-criterion: ## Criterion benchmarks of the library's stages (benches/pipeline.rs)
	$(CARGO) bench --bench pipeline

CHROMIUM ?= chromium
screenshot: ## Render one demo pack in headless Chromium to demo-out/pack.png (needs: apt-get install chromium; run make demo first)
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	  --disable-background-networking --disable-component-update --disable-sync \
	  --user-data-dir=$$(mktemp -d) --window-size=1200,6000 \
	  --screenshot=$(DEMO_OUT)/pack.png file://$(CURDIR)/$(DEMO_OUT)/packs/2025/trusts/RV9/RV9-2025.html
	@echo "Wrote $(DEMO_OUT)/pack.png"
