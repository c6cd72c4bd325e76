"""docs/grafana/emeth.json against a running sequencer: every query of the dashboard names only
metrics that the sequencer's GET /metrics exposes. The localnet runs the bridge in-process;
the test makes one refusal and one final batch first, so the labelled and the bridge's
finality series exist too."""
import json
import re
from pathlib import Path

import pytest
from web3 import Web3

from emeth_sdk import EMT, Client, Refused, Wallet, Withdraw
from emeth_sdk.l1 import Rollup
from support import localnet, localnet_env, wait_until

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana" / "emeth.json"
# Words of PromQL that are not metric names.
PROMQL = {"rate", "increase", "deriv", "sum", "by", "label_values", "instance", "reason"}


def panels(d):
    for p in d.get("panels", []):
        yield p
        yield from panels(p)


def queries(d) -> list[str]:
    out = [t["expr"] for p in panels(d) for t in p.get("targets", [])]
    out += [v["query"]["query"] if isinstance(v["query"], dict) else v["query"] for v in d["templating"]["list"]]
    return out


def metric_names(expr: str) -> set[str]:
    no_labels = re.sub(r"\{[^}]*\}", "", re.sub(r"\[[^\]]*\]", "", expr))
    return {w for w in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", no_labels) if w not in PROMQL}


def test_the_dashboard_is_well_formed():
    d = json.loads(DASHBOARD.read_text())
    ids = [p["id"] for p in panels(d)]
    assert len(ids) == len(set(ids))
    titles = {p["title"] for p in panels(d)}
    assert {"Blocks per second", "Transactions per second", "Refusals by reason", "L1 backlog", "L1 gas spent",
            "Batch lag", "Finality lag"} <= titles
    cells = set()
    for p in panels(d):
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & mine, f"{p['title']} overlaps another panel"
        cells |= mine
        for t in p.get("targets", []):
            assert t["datasource"]["uid"] == "${DS_PROMETHEUS}"
    assert all(metric_names(q) for q in queries(d))


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    """The metric names of a localnet sequencer's /metrics once it has refused a transaction
    and holds a final batch."""
    env = localnet_env(tmp_path_factory.mktemp("grafana"))
    try:
        v = localnet(env, "up")
        client = Client(v["L2_RPC_URL"])
        w3 = Web3(Web3.HTTPProvider(v["L1_RPC_URL"], request_kwargs={"timeout": 60}))
        user = Wallet(v["USER_KEYS"].split(",")[0], client)
        Rollup.from_deployment(w3, v["DEPLOYMENT_FILE"]).deposit(user.account, EMT)
        wait_until(lambda: client.get_account(user.address).balance == EMT, "the deposit credited on L2")
        with pytest.raises(Refused):
            user.send(Withdraw(amount=2 * EMT))                 # more than the balance: refused at admission
        h = user.send(Withdraw(amount=EMT // 2))
        client.wait_for_receipt(h, until="committed", timeout=120)
        w3.provider.make_request("evm_increaseTime", [int(v["CHALLENGE_PERIOD"]) + 1])
        w3.provider.make_request("evm_mine", [])
        client.wait_for_receipt(h, until="final", timeout=120)
        text = wait_until(lambda: (m := client.metrics()) and "emeth_last_final_batch" in m and m,
                          "the newest final batch in /metrics")
        yield text
    finally:
        localnet(env, "down")


def test_every_query_names_exposed_metrics(exposed):
    names = set(re.findall(r"^# TYPE (\S+) ", exposed, re.M))
    samples = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", exposed, re.M))
    assert 'emeth_txs_rejected_total{reason="would_fail"} 1' in exposed
    d = json.loads(DASHBOARD.read_text())
    used = set().union(*(metric_names(q) for q in queries(d)))
    assert used - names == set(), f"the dashboard queries metrics /metrics does not expose: {sorted(used - names)}"
    assert used - samples == set(), f"metrics without a sample: {sorted(used - samples)}"
