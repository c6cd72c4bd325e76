"""The status page (`GET /`, `GET /explorer`) in headless Chromium (Debian's `chromium`,
installed by scripts/setup) against a localnet with a job: the rendered DOM shows the head and
the job id, a screenshot is written, and a search by address shows the account's balance,
credit and claimable amount as the API reports them; by job id and by transaction hash, the
job and the receipt. Driven over the DevTools protocol, an open page follows a new block and
a new job over its WebSocket, without a request of its own. The page runs its own script, so
these checks read what a person sees."""
import base64
import itertools
import json
import os
import re
import shutil
import subprocess

import pytest
import requests
from l2net import EMT, GHOLON, address, job_id, started
from support import wait_until
from websockets.sync.client import connect

JOB = job_id(0xE1)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    with started(tmp_path_factory.mktemp("explorer")) as n:
        n.registered = n.sequenced(n.send(n.requester, "RegisterJob", **n.register_fields(JOB)))
        n.withdrawn = n.sequenced(n.send(n.requester, "Withdraw", amount=25 * GHOLON))
        yield n


def chromium() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("chromium is missing: scripts/setup installs it (Debian package chromium)")
    return path


def browse(url: str, tmp_path, *action: str) -> str:
    """Chromium headless on `url` with 5 s of virtual time for the page's script; its stdout."""
    r = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1400", "--virtual-time-budget=5000",
                        *action, url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


class Browser:
    """Headless Chromium driven over the DevTools protocol (its own WebSocket): open a page,
    evaluate script in it, take a screenshot."""

    def __init__(self, tmp_path):
        self.log = tmp_path / "chromium.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                          "--no-first-run", f"--user-data-dir={tmp_path / 'cdp-profile'}", "--window-size=1280,1400",
                                          "--remote-debugging-port=0", "about:blank"], stdout=subprocess.DEVNULL, stderr=log)
        url = wait_until(lambda: re.search(r"DevTools listening on (ws://\S+)", self.log.read_text()), "Chromium's DevTools endpoint",
                         timeout=60).group(1)
        self.ws = connect(url, proxy=None, max_size=None).__enter__()
        self.ids = itertools.count(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params, **({"sessionId": session} if session else {})}))
        while True:
            m = json.loads(self.ws.recv(timeout=60))
            if m.get("id") == i:
                assert "result" in m, m
                return m["result"]

    def open(self, url: str) -> str:
        target = self.call("Target.createTarget", url=url)["targetId"]
        return self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def eval(self, session: str, expression: str):
        return self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"].get("value")

    def screenshot(self, session: str) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", session, format="png")["data"])


def emt(units: int) -> str:
    """An amount as the page writes it: EMT, exact, no trailing zeros."""
    whole, frac = divmod(units, EMT)
    text = f"{frac:018d}".rstrip("0")
    return f"{whole}.{text} EMT" if text else f"{whole} EMT"


def test_the_page_is_one_self_contained_document(net):
    for path in ("/", "/explorer"):
        r = requests.get(net.url + path, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        # No external asset: nothing loaded from anywhere but this node.
        assert "src=\"http" not in r.text and "href=\"http" not in r.text and "@import" not in r.text


def test_the_page_shows_the_head_and_the_job_and_takes_a_screenshot(net, tmp_path):
    head = net.head()
    dom = browse(net.url + "/", tmp_path, "--dump-dom")
    assert f'<b id="head">{head}</b>' in dom, dom[:3000]
    assert JOB in dom
    assert 'class="badge s-REQUESTED">REQUESTED<' in dom
    shot = tmp_path / "status.png"
    browse(net.url + "/explorer", tmp_path, f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    if os.environ.get("EMETH_SCREENSHOT_DIR"):   # keep it to look at
        shutil.copy(shot, os.environ["EMETH_SCREENSHOT_DIR"])


def test_a_search_by_address_shows_balance_credit_and_claimable(net, tmp_path):
    who = address(net.requester)
    account = net.rpc("emeth_getAccount", who)
    ticket = net.rpc("emeth_getTicket", who)
    dom = browse(f"{net.url}/explorer?q={who}", tmp_path, "--dump-dom")
    assert f'<span id="balance">{emt(int(account["balance"], 16))}</span>' in dom, dom[:3000]
    assert f'<span id="credit">{emt(25 * GHOLON)}</span>' in dom
    assert (f'<span id="claimable">{emt(25 * GHOLON)} with the Signer ticket of block {int(ticket["blockNumber"], 16)}</span>'
            in dom)
    assert JOB in dom.split('id="account"', 1)[1]           # its job, listed in the account view


def test_a_search_by_job_id_and_by_transaction_hash(net, tmp_path):
    dom = browse(f"{net.url}/?q={JOB}", tmp_path, "--dump-dom")
    job = dom.split('<div id="job">', 1)[1].split("</div>", 1)[0]
    assert JOB in job and ">REQUESTED<" in job and address(net.requester) in job
    h = net.withdrawn["hash"]
    dom = browse(f"{net.url}/?q={h}", tmp_path, "--dump-dom")
    tx = dom.split('<div id="tx">', 1)[1].split("</div>", 1)[0]
    assert h in tx and "success" in tx and f">{int(net.withdrawn['blockNumber'], 16)}<" in tx


def test_an_open_page_follows_new_blocks_and_jobs_over_its_websocket(net, tmp_path):
    with Browser(tmp_path) as browser:
        page = browser.open(net.url + "/")

        def text(element: str) -> str:
            return browser.eval(page, f"document.getElementById({element!r}).textContent")

        wait_until(lambda: browser.eval(page, "document.getElementById('live').className") == "on", "the page to subscribe on /ws",
                   timeout=60)
        wait_until(lambda: text("head") == str(net.head()), "the page to show the head", timeout=60)
        posts = "performance.getEntriesByType('resource').filter(e => e.initiatorType === 'fetch' && new URL(e.name).pathname === '/').length"
        before = browser.eval(page, posts)
        jid = job_id(0xE2)
        block = int(net.sequenced(net.send(net.requester, "RegisterJob", **net.register_fields(jid, program=9)))["blockNumber"], 16)
        wait_until(lambda: text("head") == str(block), f"the page to show block {block}", timeout=60)
        wait_until(lambda: jid in text("jobs"), "the page to list the new job", timeout=60)
        # Both came over the socket: the page sent no JSON-RPC request of its own since.
        assert browser.eval(page, posts) == before
        shot = browser.screenshot(page)
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
