"""The L2 JSON-RPC API over HTTP (docs/API.md): one method per API method, typed results,
errors as exceptions of `errors`, and batches (at most 100 requests each, as the server
allows, split transparently).

    client = Client("http://127.0.0.1:8547")
    h = client.send_transaction(sign(Process(job_id), key, client.domain(), nonce))
    receipt = client.wait_for_receipt(h)
"""
from __future__ import annotations

import itertools
import time
from typing import Iterator

import requests

from .codes import status_code
from .eip712 import Domain
from .encoding import to_int
from .errors import ReceiptTimeout, RPCError, TransportError
from .results import AccountState, Batch, Block, BlockRange, ChainInfo, Job, JobPage, Receipt, Ticket
from .signing import SignedTransaction

MAX_BATCH = 100
# The order receipts move in; wait_for_receipt(until=...) waits for this rank or beyond.
RECEIPT_RANK = {"pending": 0, "sequenced": 1, "committed": 2, "final": 3}


def _block_param(number) -> str:
    if isinstance(number, str) and number in ("latest", "earliest"):
        return number
    return hex(to_int(number, "block number"))


class Client:
    def __init__(self, url: str, timeout: float = 30.0, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self._ids = itertools.count(1)
        self._domain: Domain | None = None

    # -- transport --

    def _post(self, body):
        try:
            r = self.session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as e:
            raise TransportError(f"cannot reach the L2 API at {self.url}: {e}") from None
        if r.status_code == 204:
            return None
        try:
            return r.json()
        except ValueError:
            raise TransportError(f"the L2 API at {self.url} answered HTTP {r.status_code} without JSON: "
                                 f"{r.text[:200]!r}") from None

    def call(self, method: str, *params):
        """One request; its result, or the error as an `RPCError` subclass."""
        reply = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)})
        if not isinstance(reply, dict):
            raise TransportError(f"{method}: expected a JSON-RPC response object, got {reply!r:.200}")
        if "error" in reply:
            raise RPCError.of(reply["error"], method)
        return reply.get("result")

    def batch(self, calls, raise_errors: bool = True) -> list:
        """Results of `[(method, [params…]), …]` in order, sent in batches of at most 100.
        With `raise_errors=False` a failed call's place holds its `RPCError`."""
        calls = list(calls)
        out = []
        for start in range(0, len(calls), MAX_BATCH):
            chunk = calls[start:start + MAX_BATCH]
            body = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": list(p)} for m, p in chunk]
            replies = self._post(body)
            if not isinstance(replies, list):
                if isinstance(replies, dict) and "error" in replies:
                    raise RPCError.of(replies["error"], "batch")
                raise TransportError(f"expected a JSON-RPC batch response, got {replies!r:.200}")
            by_id = {r.get("id"): r for r in replies}
            for req in body:
                r = by_id.get(req["id"])
                if r is None:
                    raise TransportError(f"the batch response has no entry for {req['method']} (id {req['id']})")
                if "error" in r:
                    err = RPCError.of(r["error"], req["method"])
                    if raise_errors:
                        raise err
                    out.append(err)
                else:
                    out.append(r.get("result"))
        return out

    def _get(self, path: str) -> requests.Response:
        base = self.url
        try:
            return self.session.get(base + path, timeout=self.timeout)
        except requests.RequestException as e:
            raise TransportError(f"cannot reach {base + path}: {e}") from None

    def health(self) -> dict:
        """`GET /health`: {"status": "ok" | "degraded" | "stopped" | "challenged" | …, …}."""
        return self._get("/health").json()

    def metrics(self) -> str:
        """`GET /metrics`: the Prometheus text."""
        return self._get("/metrics").text

    # -- chain --

    def chain_info(self) -> ChainInfo:
        return ChainInfo.from_json(self.call("emeth_chainInfo"))

    def domain(self) -> Domain:
        """The EIP-712 domain this chain's transactions are signed in (cached)."""
        if self._domain is None:
            self._domain = self.chain_info().domain
        return self._domain

    def block_number(self) -> int:
        return to_int(self.call("emeth_blockNumber"), "emeth_blockNumber")

    def get_block(self, number="latest", full_transactions: bool = False) -> Block | None:
        b = self.call("emeth_getBlockByNumber", _block_param(number), full_transactions)
        return None if b is None else Block.from_json(b)

    def get_block_range(self, first: int, count: int | None = None) -> BlockRange:
        """Blocks `first`, `first + 1`, … as the node stores them (at most `count`, 100 and 2 MiB
        a call): what a follower pulls."""
        params = [hex(first)] if count is None else [hex(first), hex(count)]
        return BlockRange.from_json(self.call("emeth_getBlockRange", *params))

    # -- transactions --

    def send_transaction(self, tx: SignedTransaction | dict, expect: dict | None = None) -> str:
        """Sends a signed transaction; returns its hash once it is in the mempool. A
        `SignedTransaction` is sent with `expect.from` = its sender, so a signature in the wrong
        domain is refused as -32002 (`WrongDomain`) rather than as a stranger's (-32006)."""
        if isinstance(tx, SignedTransaction):
            expect = {"from": tx.sender, **(expect or {})}
            wire = tx.wire
        else:
            wire = tx
        params = [wire] if expect is None else [wire, expect]
        return self.call("emeth_sendTransaction", *params)

    def send_transactions(self, txs, raise_errors: bool = True) -> list:
        """Many signed transactions in batches; the hashes (or errors) in order."""
        return self.batch([("emeth_sendTransaction", [t.wire, {"from": t.sender}]) for t in txs], raise_errors)

    def get_transaction_receipt(self, tx_hash: str) -> Receipt | None:
        r = self.call("emeth_getTransactionReceipt", tx_hash)
        return None if r is None else Receipt.from_json(r)

    def get_receipts(self, hashes) -> list[Receipt | None]:
        return [None if r is None else Receipt.from_json(r)
                for r in self.batch([("emeth_getTransactionReceipt", [h]) for h in hashes])]

    def wait_for_receipt(self, tx_hash: str, until: str = "sequenced", timeout: float = 120.0,
                         poll: float = 0.1) -> Receipt:
        """Polls until the receipt reaches `until` (sequenced, committed or final); a dropped
        transaction returns at once. Raises `ReceiptTimeout` naming the last status."""
        return self.wait_for_receipts([tx_hash], until, timeout, poll)[0]

    def wait_for_receipts(self, hashes, until: str = "sequenced", timeout: float = 120.0,
                          poll: float = 0.1) -> list[Receipt]:
        if until not in RECEIPT_RANK or until == "pending":
            raise ValueError(f"until must be sequenced, committed or final, not {until!r}")
        hashes = list(hashes)
        deadline = time.monotonic() + timeout
        while True:
            receipts = self.get_receipts(hashes)
            unknown = [h for h, r in zip(hashes, receipts) if r is None]
            if unknown:
                raise ReceiptTimeout(f"the sequencer does not know {len(unknown)} transaction(s), e.g. {unknown[0]}")
            if all(r.status == "dropped" or RECEIPT_RANK.get(r.status, 0) >= RECEIPT_RANK[until] for r in receipts):
                return receipts
            if time.monotonic() > deadline:
                late = [r for r in receipts if RECEIPT_RANK.get(r.status, 0) < RECEIPT_RANK[until]]
                raise ReceiptTimeout(f"{len(late)} of {len(hashes)} transaction(s) not {until} after {timeout:g} s "
                                     f"(e.g. {late[0].hash} is {late[0].status})")
            time.sleep(poll)

    # -- state --

    def get_account(self, address: str) -> AccountState:
        return AccountState.from_json(self.call("emeth_getAccount", address))

    def get_transaction_count(self, address: str, block: str = "latest") -> int:
        """The account's nonce: at "latest" the sealed state's, at "pending" the nonce its next
        transaction must carry (counting its transactions waiting in the mempool)."""
        if block not in ("latest", "pending"):
            raise ValueError(f'block must be "latest" or "pending", not {block!r}')
        return to_int(self.call("emeth_getTransactionCount", address, block), "emeth_getTransactionCount")

    def get_nonce(self, address: str) -> int:
        """The nonce to sign the account's next transaction with (pending transactions counted)."""
        return self.get_transaction_count(address, "pending")

    def get_job(self, job_id) -> Job | None:
        j = self.call("emeth_getJob", job_id if isinstance(job_id, str) else "0x" + bytes(job_id).hex())
        return None if j is None else Job.from_json(j)

    def list_jobs(self, status=None, owner: str | None = None, node: str | None = None, limit: int | None = None,
                  cursor: str | None = None) -> JobPage:
        """One page of `emeth_listJobs`; `cursor` None in the result means the end."""
        f = {}
        if status is not None:
            f["status"] = status_code(status)
        for k, v in (("owner", owner), ("node", node), ("limit", limit), ("cursor", cursor)):
            if v is not None:
                f[k] = v
        page = self.call("emeth_listJobs", f)
        return JobPage([Job.from_json(j) for j in page["jobs"]], page.get("cursor"))

    def iter_jobs(self, status=None, owner: str | None = None, node: str | None = None,
                  page_size: int = 100) -> Iterator[Job]:
        """Every job matching the filter, page after page."""
        cursor = None
        while True:
            page = self.list_jobs(status, owner, node, page_size, cursor)
            yield from page.jobs
            if page.cursor is None:
                return
            cursor = page.cursor

    def get_ticket(self, address: str) -> Ticket | None:
        t = self.call("emeth_getTicket", address)
        return None if t is None else Ticket.from_json(t)

    def list_batches(self, limit: int | None = None) -> list[Batch]:
        """The newest batches, newest first, with their L1 state (`emeth_listBatches`; the node
        must run the batch poster, else `Unavailable`)."""
        r = self.call("emeth_listBatches", *([] if limit is None else [limit]))
        return [Batch.from_json(b) for b in r["batches"]]

    # -- proofs (JSON objects as docs/PROOFS.md describes; check them with `proofs`) --

    def get_settlement_proof(self, address: str, batch_index: int | None = None) -> dict:
        params = [address] if batch_index is None else [address, hex(batch_index)]
        return self.call("emeth_getSettlementProof", *params)

    def get_state_proof(self, key, block="latest") -> dict:
        """`key`: an address, a 16-byte job id or "totals"."""
        return self.call("emeth_getStateProof", key, _block_param(block))

    def get_transaction_proof(self, tx_hash: str) -> dict | None:
        return self.call("emeth_getTransactionProof", tx_hash)
