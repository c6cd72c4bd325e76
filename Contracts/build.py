#!/usr/bin/env python3
"""Compiles the Vyper contracts into Contracts/artifacts/<Name>.json (ABI, creation and runtime
bytecode, compiler version, source hash).

    build.py           write the artifacts
    build.py --check   recompile and fail (exit 1) on any difference from the committed files

The artifacts are committed so that deploying needs no compiler; `--check` (run by `make test`)
proves they are what the sources compile to with the pinned compiler. The Python SDK ships
each contract's ABI (clients/python/src/emeth_sdk/abi/<Name>.json); they are written and
checked here too, so the SDK never calls an ABI the contracts no longer have.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
ARTIFACTS = HERE / "artifacts"
SDK_ABI = HERE.parent / "clients" / "python" / "src" / "emeth_sdk" / "abi"
CONTRACTS = ["EmethToken", "EmethRollup"]
VYPER = Path(sys.executable).with_name("vyper")


def compiler_version() -> str:
    return subprocess.run([str(VYPER), "--version"], check=True, capture_output=True, text=True).stdout.strip()


def compile_contract(name: str, version: str) -> str:
    source = SOURCES / f"{name}.vy"
    out = subprocess.run([str(VYPER), "-f", "abi,bytecode,bytecode_runtime", str(source)],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()
    abi, bytecode, runtime = out
    artifact = {
        "contractName": name,
        "compiler": f"vyper {version}",
        "source": f"Contracts/src/{name}.vy",
        "sourceSha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "abi": json.loads(abi),
        "bytecode": bytecode,
        "deployedBytecode": runtime,
    }
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def sdk_abi(artifact: str) -> str:
    return json.dumps(json.loads(artifact)["abi"], indent=1, sort_keys=True) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    version = compiler_version()
    ARTIFACTS.mkdir(exist_ok=True)
    stale = []
    for name in CONTRACTS:
        fresh = compile_contract(name, version)
        for path, text in ((ARTIFACTS / f"{name}.json", fresh), (SDK_ABI / f"{name}.json", sdk_abi(fresh))):
            if check:
                if not path.exists() or path.read_text() != text:
                    stale.append(str(path.relative_to(HERE.parent)))
            else:
                path.write_text(text)
                print(f"wrote {path.relative_to(HERE.parent)}")
    if stale:
        print(f"artifacts differ from a fresh compile with vyper {version}: {', '.join(stale)}; "
              "run `.venv/bin/python Contracts/build.py` and commit the result", file=sys.stderr)
        return 1
    if check:
        print(f"artifacts match a fresh compile (vyper {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
