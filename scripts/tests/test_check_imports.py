"""scripts/check-imports: the real tree keeps the layout rules, and a forbidden import planted
in a copy of it (never in the real tree) fails the check, naming the file, the line and the rule."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-imports"

def rule_modules() -> list[str]:
    """The folders the script has rules for, in its order (read from the script, so a new
    module needs no second edit here)."""
    namespace: dict = {"__name__": "check_imports"}
    exec(compile(SCRIPT.read_text(encoding="utf-8"), str(SCRIPT), "exec"), namespace)
    return list(namespace["RULES"])


MODULES = rule_modules()


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for m in MODULES:
        shutil.copytree(ROOT / m, tmp_path / m)
    return tmp_path


def plant(root: Path, file: str, line: str) -> None:
    """Inserts `line` as line 2 of `file`."""
    path = root / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:1] + [line + "\n"] + lines[1:]), encoding="utf-8")


def test_the_real_tree_keeps_the_rules():
    r = check(ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"check-imports: every import of {', '.join(MODULES)} keeps the layout rules"
    assert {"Core", "API", "Node", "Client", "CLI"} <= set(MODULES)


def test_an_unchanged_copy_passes(tree: Path):
    r = check(tree)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("file, line, module, imported, rule", [
    ("API/Methods/L2API.swift", "import Bridge", "API", "Bridge", "the API serves a node through its own protocols"),
    ("API/Service/MetricsPage.swift", "@testable import Prover", "API", "Prover", "the API serves a node through its own protocols"),
    ("API/RPC/RPCError.swift", "import Node", "API", "Node", "the API serves a node through its own protocols"),
    ("Core/Encoding/Hex.swift", "import Sequencer", "Core", "Sequencer", "Core is pure"),
    ("Core/Numbers/Amount.swift", "import struct Logging.Logger", "Core", "Logging", "Core is pure"),
    ("Client/Client.swift", "import API", "Client", "API", "the client talks to a node's API over JSON-RPC"),
    ("Cluster/ClusterKeys.swift", "import Sequencer", "Cluster", "Sequencer", "the cluster speaks to etcd and knows no chain"),
    ("Sequencer/Sequencer.swift", "import Workloads", "Sequencer", "Workloads", "the state machine and its storage know nothing"),
    ("Node/Node.swift", "import Workloads", "Node", "Workloads", "Node composes the libraries; test and benchmark support stay out of it"),
    ("CLI/Emeth.swift", "import API", "CLI", "API", "the CLI parses flags and calls the libraries"),
    ("CLI/Emeth.swift", "import TOMLKit", "CLI", "TOMLKit", "the CLI parses flags and calls the libraries"),
])
def test_a_planted_forbidden_import_fails(tree: Path, file: str, line: str, module: str, imported: str, rule: str):
    plant(tree, file, line)
    r = check(tree)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0].startswith(f"forbidden import: {file}:2: {module} imports {imported} — {rule}"), lines[0]
    assert lines[1] == "check-imports: 1 forbidden import(s); see CONTRIBUTING.md, \"Layout rules\""
    # The real tree is untouched.
    assert line not in (ROOT / file).read_text(encoding="utf-8").splitlines()[:3]


def test_system_modules_and_allowed_packages_pass(tree: Path):
    plant(tree, "Core/Encoding/Hex.swift", "import Synchronization")
    plant(tree, "Node/Node.swift", "import ServiceLifecycle")
    plant(tree, "CLI/Emeth.swift", "import Workloads")
    r = check(tree)
    assert r.returncode == 0, r.stderr
