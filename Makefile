# The two commands a fresh machine needs (see README):
#   make demo   — installs what is missing, builds, and runs the local demo
#   make test   — installs what is missing, builds, and runs every test
SHELL := /bin/bash
SWIFT ?= swift
PY := .venv/bin/python
# `$(BOUND) 20m cmd`: stops cmd (and says so) if it runs past the bound.
BOUND := timeout --kill-after=20s --verbose

.PHONY: setup build release lint test test-swift test-python test-oracle-long demo bench gas contracts clean devnet-up devnet-down attack fuzz fuzz-build fuzz-seeds failover-soak bench-snapshot-l1

setup:
	@bash scripts/setup

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product emeth

# The layout rules (scripts/check-imports) and swift-format's lint with the checked-in
# .swift-format (scripts/lint; CONTRIBUTING.md says what is enforced). Seconds, so first.
lint: setup
	$(PY) scripts/check-imports
	$(PY) scripts/lint

# ClusterTests run on their own after the rest: they time etcd leases of a few seconds against
# real etcd members, which the parallel devnet suites can starve of CPU on a 2-core machine.
# Every step has a bound far above its normal time, so a hang fails the run and names the step
# instead of using up CI's whole budget (the Python tests also bound each test, below).
test: setup
	$(MAKE) --no-print-directory lint
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory test-python
	$(BOUND) 30m $(SWIFT) test --skip-build --parallel --num-workers 2 --skip ClusterTests
	$(BOUND) 5m $(SWIFT) test --skip-build --filter ClusterTests

# Builds what the end-to-end tests run (the debug emeth), so a bare `make test-python` on a
# fresh clone skips nothing; under `make test` the build above has made it and this is a no-op.
# With CI=true a skipped test fails the run (conftest.py); -rs lists the reasons of any skip.
test-python: setup
	$(SWIFT) build --product emeth
	$(PY) -m pytest -q -rs -p no:cacheprovider --timeout=900 scripts/tests Contracts/tests clients/python/tests
	$(PY) Contracts/build.py --check

# The Swift state machine against the independent Python model (Tests/oracle/stf_model.py)
# on many more random histories than `make test` replays (about 200,000 steps, ~10 minutes).
test-oracle-long: setup
	$(SWIFT) build --build-tests
	EMETH_STF_MODEL_HISTORIES=100 EMETH_STF_MODEL_STEPS=1000 $(SWIFT) test --skip-build --filter STFModelTests

demo: release
	bash scripts/demo

bench: release
	.build/release/emeth bench

# Replay from a snapshot against a full replay on a history of SNAPSHOT_TXS L2 transactions
# committed to the devnet L1 through a localnet's own sequencer and poster (about an hour for
# the default million on 2 cores). Results in docs/PERFORMANCE.md ("Replay from a snapshot").
SNAPSHOT_TXS ?= 1000000
bench-snapshot-l1: release
	$(PY) scripts/snapshot_l1_bench.py --txs $(SNAPSHOT_TXS)

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

# The hostile-load test at a larger scale (ATTACK_SCALE=4 by default); results in docs/PERFORMANCE.md.
attack: setup
	$(SWIFT) build --product emeth
	bash scripts/attack

# Sequencer failover under load at a larger scale: scripts/tests/test_failover_load.py with
# FAILOVER_CYCLES kill -9 cycles of the leader (5 in `make test`); prints the failover time
# (kill → first new sealed block) p50/p99, lost=0, forked=0. Results in docs/PERFORMANCE.md.
FAILOVER_CYCLES ?= 50
failover-soak: setup
	$(SWIFT) build --product emeth
	EMETH_FAILOVER_CYCLES=$(FAILOVER_CYCLES) $(PY) -m pytest -q -s -p no:cacheprovider --timeout=0 \
		scripts/tests/test_failover_load.py -k test_failover_under_load
