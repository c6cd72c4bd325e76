# The two commands a fresh machine needs (see README):
#   make demo   — installs what is missing, builds, and runs the local demo
#   make test   — installs what is missing, builds, and runs every test
SHELL := /bin/bash
SWIFT ?= swift
PY := .venv/bin/python

.PHONY: setup build release test test-swift test-python demo bench gas contracts clean devnet-up devnet-down fuzz fuzz-build fuzz-seeds

setup:
	@bash scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product emeth

test: setup
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory test-python
	$(SWIFT) test --skip-build --parallel --num-workers 2

test-python:
	$(PY) -m pytest -q -p no:cacheprovider scripts/tests Contracts/tests
	$(PY) Contracts/build.py --check

demo: release
	bash scripts/demo

bench: release
	.build/release/emeth bench

gas: setup
	$(PY) Contracts/gas_report.py

contracts: setup
	$(PY) Contracts/build.py

devnet-up: setup
	bash scripts/devnet up

devnet-down:
	bash scripts/devnet down

# libFuzzer targets for the decoders fed from outside (CONTRIBUTING.md, "Fuzzing"); not part
# of `make test`, whose FuzzTests replay the committed corpus. FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= json rpc l2tx rlp batch abi proof block

# FUZZ_ASAN=1 adds AddressSanitizer (a separate build, .build-fuzz-asan; about 3x slower).
comma := ,
FUZZ_SANITIZE := $(if $(FUZZ_ASAN),fuzzer$(comma)address,fuzzer)
FUZZ_SCRATCH := $(if $(FUZZ_ASAN),.build-fuzz-asan,.build-fuzz)

fuzz-build: setup
	EMETH_FUZZ=1 $(SWIFT) build -c release --scratch-path $(FUZZ_SCRATCH) --product EmethFuzz \
		-Xswiftc -sanitize=$(FUZZ_SANITIZE) -Xswiftc -use-ld=lld

fuzz: fuzz-build
	FUZZ_BIN=$(FUZZ_SCRATCH)/release/EmethFuzz bash scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Rewrites the seed corpus from real encodings (a small real chain, its batches and proofs).
fuzz-seeds: fuzz-build
	rm -rf Tests/Fuzz/corpus
	EMETH_FUZZ_SEEDS=Tests/Fuzz/corpus .build-fuzz/release/EmethFuzz

clean:
	rm -rf .build .build-fuzz .build-fuzz-asan .devnet .localnet
