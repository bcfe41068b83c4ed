# Build the filter modules, test them, and run the demo. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := build
.SECONDEXPANSION:

# One module per folder filters/<protocol>/ with a main.ts: adding a protocol is adding its folder. The generator finds
# the built-in protocols the same way, from the modules built here (build/<protocol>.wasm).
PROTOCOLS := $(sort $(patsubst filters/%/main.ts,%,$(wildcard filters/*/main.ts)))
MODULES := $(PROTOCOLS:%=build/%.wasm)
DEBUG_MODULES := $(PROTOCOLS:%=build/debug/%.wasm)
# A module is built from the framework and its own protocol's folder.
FRAMEWORK_SOURCES := $(shell find assembly -name '*.ts') asconfig.json
TSX := node --import tsx
NODE_TESTS = $(shell find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)

# Debian packages the tests need, installed when missing: the Thrift peers' compiler and Python library,
# docker-compose (1.29), whose `config` checks the docker-compose scenarios of test/docker/ without a Docker engine,
# skopeo, which reads the OCI images `make oci` writes as a registry client would, and nghttp2-client (nghttp,
# h2load: the HTTP/2 library's interop tests against nghttp2's own tools).
SYSTEM_PACKAGES := thrift-compiler python3-thrift docker-compose skopeo nghttp2-client

.PHONY: help install system-packages build test typecheck unit host-tests run clean envoy-config oci

help:
	@echo "make run    build the filters and proxy sample traffic through them (bundled host, or envoy on PATH)"
	@echo "make test   build, type-check, AssemblyScript unit tests, host and end-to-end tests"
	@echo "make build  build/<protocol>.wasm (optimised) and build/debug/<protocol>.wasm"
	@echo "make envoy-config  regenerate envoy/<name>.yaml from envoy/services/<name>.yaml"
	@echo "make oci    build/oci/<protocol>: each module as an OCI image (Istio WasmPlugin oci:// URLs), no Docker"
	@echo "make docs   regenerate the metric list of docs/metrics-and-logs.md"

install: node_modules/.installed system-packages

system-packages:
	@installed=$$(dpkg-query -W -f='$${Status}\n' $(SYSTEM_PACKAGES) 2>/dev/null | grep -c '^install ok installed$$'); \
	if [ "$$installed" != "$(words $(SYSTEM_PACKAGES))" ]; then \
	  echo "installing $(SYSTEM_PACKAGES) with apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES); \
	fi

# npm ci also applies patches/ to @solo-io/proxy-runtime (postinstall: patch-package).
node_modules/.installed: package.json package-lock.json $(wildcard patches/*.patch)
	npm ci --no-audit --no-fund
	@touch $@

build/%.wasm: filters/%/main.ts $(FRAMEWORK_SOURCES) $$(wildcard filters/$$*/*.ts) node_modules/.installed
	@mkdir -p $(@D)
	npx asc $< --config asconfig.json --target release -o $@

build/debug/%.wasm: filters/%/main.ts $(FRAMEWORK_SOURCES) $$(wildcard filters/$$*/*.ts) node_modules/.installed
	@mkdir -p $(@D)
	npx asc $< --config asconfig.json --target debug -o $@

build: $(MODULES) $(DEBUG_MODULES)
	@for m in $(MODULES); do printf '%-26s %7d bytes\n' $$m $$(stat -c %s $$m); done

# The HTTP/2 library (assembly/lib/http2, assembly/lib/hpack) as a plain wasm module for its interop tests, the
# fuzzer and the benchmarks (test/http2/harness.ts), compiled with the modules' options.
HTTP2_HARNESS := build/test/http2_harness.wasm
$(HTTP2_HARNESS): test/http2/harness.ts $(FRAMEWORK_SOURCES) node_modules/.installed
	@mkdir -p $(@D)
	npx asc $< --config asconfig.json --target release -o $@

typecheck: node_modules/.installed
	npx tsc -p .

unit: node_modules/.installed
	npx asp --config as-pect.config.js --as-config test/unit/as-pect.asconfig.json

host-tests: build $(HTTP2_HARNESS) system-packages
	$(TSX) --test --test-concurrency=1 $(NODE_TESTS)

test: build typecheck unit host-tests

run: build system-packages
	$(TSX) test/demo/run.ts

clean:
	rm -rf build

# The metric list of docs/metrics-and-logs.md, made from the metric declarations (test/docs/metrics_doc.test.ts
# fails when it drifts).
.PHONY: docs
docs: node_modules/.installed
	$(TSX) test/docs/metric_table.ts --write

# envoy/<name>.yaml are generated from envoy/services/<name>.yaml (test/generator/golden.test.ts checks it). The
# generator checks every plugin configuration with the built modules' own proxy_on_configure, hence `build`.
envoy-config: build
	@for input in envoy/services/*.yaml; do \
	  output=envoy/$${input#envoy/services/}; \
	  node generator/bin/meta-protocol-wasm.js envoy -f $$input -o $$output && echo "$$output"; \
	done

# Each module as an OCI image in an OCI image layout directory, build/oci/<protocol>, tagged with the package version;
# prints each image's digest (a WasmPlugin's sha256). Push: skopeo copy oci:build/oci/<protocol>:<version>
# docker://<registry>/<repository>:<version> (docs/operations.md).
VERSION := $(shell node -p "require('./package.json').version")
oci: build
	@for p in $(PROTOCOLS); do \
	  node generator/bin/meta-protocol-wasm.js oci-image -f build/$$p.wasm -o build/oci/$$p --tag $(VERSION) || exit 1; \
	done

# Benchmarks: prints tables with the targets beside the numbers, writes nothing. BENCH_ARGS="--quick" for a
# smoke run; see test/bench/run.ts for the other options.
.PHONY: bench
bench: build $(HTTP2_HARNESS)
	$(TSX) test/bench/run.ts $(BENCH_ARGS)

# Fuzzing: deterministic seeds, 60 s by default, exits non-zero on a trap (the input goes to
# test/fuzz/findings/). FUZZ_ARGS="--seconds 600 --seed 2" for a longer run; see test/fuzz/run.ts.
.PHONY: fuzz
fuzz: build $(HTTP2_HARNESS)
	$(TSX) test/fuzz/run.ts $(FUZZ_ARGS)
