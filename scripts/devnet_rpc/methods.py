"""The JSON-RPC 2.0 layer: envelope handling, the method table and argument decoding.

Kept apart from HTTP so the same dispatcher answers single requests and batches, and apart
from the node so each method's argument rules (which are required, which default to
"latest") read in one place. Errors follow geth: -32700/-32600/-32601/-32602 for protocol
problems, -32000 for node and EVM errors, 3 (with revert data) for reverted calls.
"""

from __future__ import annotations

import json
import platform
import sys
import traceback
from typing import Any, Callable

from eth_utils import keccak

from . import codec as c
from .codec import RPCError, b, invalid_params, q
from .node import SUGGESTED_TIP, CallMsg, Node

MAX_BATCH = 1000  # geth's --rpc.batch-request-limit
REQUIRED = object()
METHODS: dict[str, tuple[Callable, tuple]] = {}
CLIENT_VERSION = f"emeth-devnet/v1.0.0/py-evm/python-{platform.python_version()}"


def rpc(name: str, *params: tuple[Callable, Any]):
    """Registers a method; each param is (parser(value, where), default or REQUIRED)."""
    def register(fn):
        METHODS[name] = (fn, params)
        return fn
    return register


def opt(parser, default=None):
    return (parser, default)


def req(parser):
    return (parser, REQUIRED)


# ---------------------------------------------------------------------------------------------
# Argument parsers beyond codec's primitives


def block_number_or_tag(value, where):
    bid = c.parse_block_id(value, where)
    if isinstance(bid, tuple):
        raise invalid_params(f"invalid {where}: expected block number or tag")
    return bid


def call_object(value, where) -> CallMsg:
    if not isinstance(value, dict):
        raise invalid_params(f"invalid {where}: expected transaction object")
    data, inp = value.get("data"), value.get("input")
    if data is not None and inp is not None and data != inp:
        raise invalid_params('both "data" and "input" are set and not equal. Please use "input" to pass transaction call data')
    msg = CallMsg()
    if value.get("from") is not None:
        msg.sender = c.parse_address(value["from"], where + ".from")
    if value.get("to") is not None:
        msg.to = c.parse_address(value["to"], where + ".to")
    for key, attr in (("gas", "gas"), ("gasPrice", "gas_price"), ("maxFeePerGas", "max_fee"),
                      ("maxPriorityFeePerGas", "max_tip"), ("value", "value")):
        if value.get(key) is not None:
            setattr(msg, attr, c.parse_quantity(value[key], f"{where}.{key}"))
    if msg.gas_price is not None and (msg.max_fee is not None or msg.max_tip is not None):
        raise invalid_params("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
    if msg.max_fee is not None and msg.max_tip is not None and msg.max_tip > msg.max_fee:
        raise invalid_params("maxFeePerGas (%d) < maxPriorityFeePerGas (%d)" % (msg.max_fee, msg.max_tip))
    payload = inp if inp is not None else data
    if payload is not None:
        msg.data = c.parse_data(payload, where + ".input")
    if value.get("accessList") is not None:
        try:
            msg.access_list = tuple(
                (c.parse_address(e["address"], where + ".accessList"),
                 tuple(int.from_bytes(c.parse_hash(k, where + ".accessList"), "big") for k in e.get("storageKeys", [])))
                for e in value["accessList"])
        except (TypeError, KeyError):
            raise invalid_params(f"invalid {where}.accessList") from None
    return msg


def send_object(value, where) -> dict:
    msg = call_object(value, where)
    if not isinstance(value, dict) or value.get("from") is None:
        raise invalid_params(f"invalid {where}: from is required")
    fields = {"from": msg.sender, "to": msg.to, "value": msg.value, "data": msg.data, "gas": msg.gas,
              "gasPrice": msg.gas_price, "maxFeePerGas": msg.max_fee, "maxPriorityFeePerGas": msg.max_tip}
    if value.get("nonce") is not None:
        fields["nonce"] = c.parse_quantity(value["nonce"], where + ".nonce")
    return fields


def log_filter(value, where) -> dict:
    if not isinstance(value, dict):
        raise invalid_params(f"invalid {where}: expected filter object")
    out = {"from": "latest", "to": "latest", "hash": None, "addresses": None, "topics": []}
    if value.get("blockHash") is not None:
        if value.get("fromBlock") is not None or value.get("toBlock") is not None:
            raise invalid_params("cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
        out["hash"] = c.parse_hash(value["blockHash"], where + ".blockHash")
    for key, slot in (("fromBlock", "from"), ("toBlock", "to")):
        if value.get(key) is not None:
            out[slot] = block_number_or_tag(value[key], f"{where}.{key}")
    address = value.get("address")
    if address is not None:
        items = address if isinstance(address, list) else [address]
        out["addresses"] = {c.parse_address(a, where + ".address") for a in items} if items else None
    topics = value.get("topics")
    if topics is not None:
        if not isinstance(topics, list):
            raise invalid_params(f"invalid {where}.topics")
        if len(topics) > 4:
            raise invalid_params("exceed max topics")
        for t in topics:
            if t is None or t == []:
                out["topics"].append(None)  # wildcard
            else:
                alts = t if isinstance(t, list) else [t]
                out["topics"].append({b(c.parse_hash(x, where + ".topics")) for x in alts})
    return out


def percentiles(value, where) -> list[float]:
    if not isinstance(value, list) or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in value):
        raise invalid_params(f"invalid {where}: expected array of numbers")
    for i, p in enumerate(value):
        if not 0 <= p <= 100:
            raise invalid_params(f"invalid reward percentile: {p}")
        if i and p < value[i - 1]:
            raise invalid_params(f"invalid reward percentile: #{i - 1}:{value[i - 1]} > #{i}:{p}")
    return [float(p) for p in value]


def no_overrides(value, where):
    raise invalid_params("state and block overrides are not supported by this devnet")


# ---------------------------------------------------------------------------------------------
# Methods

QTY, DATA, ADDR, HASH, BOOL = c.parse_quantity, c.parse_data, c.parse_address, c.parse_hash, c.parse_bool
BLOCK = c.parse_block_id

rpc("web3_clientVersion")(lambda n: CLIENT_VERSION)
rpc("web3_sha3", req(DATA))(lambda n, data: b(keccak(data)))
rpc("net_version")(lambda n: str(n.chain_id))
rpc("net_listening")(lambda n: True)
rpc("net_peerCount")(lambda n: "0x0")
rpc("eth_chainId")(lambda n: q(n.chain_id))
rpc("eth_syncing")(lambda n: False)
rpc("eth_mining")(lambda n: True)
rpc("eth_accounts")(lambda n: [c.addr(a) for a in n.accounts])
rpc("eth_blockNumber")(lambda n: q(n.block_number()))
rpc("eth_gasPrice")(lambda n: q(n.gas_price()))
rpc("eth_maxPriorityFeePerGas")(lambda n: q(SUGGESTED_TIP))
rpc("eth_blobBaseFee")(lambda n: "0x1")
rpc("eth_getBalance", req(ADDR), opt(BLOCK, "latest"))(lambda n, a, blk: q(n.get_balance(a, blk)))
rpc("eth_getTransactionCount", req(ADDR), opt(BLOCK, "latest"))(lambda n, a, blk: q(n.get_nonce(a, blk)))
rpc("eth_getCode", req(ADDR), opt(BLOCK, "latest"))(lambda n, a, blk: b(n.get_code(a, blk)))
rpc("eth_getStorageAt", req(ADDR), req(QTY), opt(BLOCK, "latest"))(
    lambda n, a, slot, blk: c.h32(n.get_storage(a, slot, blk)))
rpc("eth_feeHistory", req(QTY), req(block_number_or_tag), opt(percentiles, []))(
    lambda n, count, newest, pcts: n.fee_history(count, newest, pcts))
rpc("eth_call", req(call_object), opt(BLOCK, "latest"), opt(no_overrides), opt(no_overrides))(
    lambda n, msg, blk, *_: b(n.call(msg, blk)))
rpc("eth_estimateGas", req(call_object), opt(BLOCK, "latest"), opt(no_overrides))(
    lambda n, msg, blk, *_: q(n.estimate_gas(msg, blk)))
rpc("eth_sendRawTransaction", req(DATA))(lambda n, raw: b(n.send_raw_transaction(raw)))
rpc("eth_sendTransaction", req(send_object))(lambda n, fields: b(n.send_transaction(fields)))
rpc("eth_getTransactionByHash", req(HASH))(lambda n, h: n.get_transaction(h))
rpc("eth_getTransactionReceipt", req(HASH))(lambda n, h: n.get_receipt(h))
rpc("eth_getBlockByNumber", req(block_number_or_tag), opt(BOOL, False))(lambda n, blk, full: n.get_block(blk, full))
rpc("eth_getBlockByHash", req(HASH), opt(BOOL, False))(lambda n, h, full: n.get_block(("hash", h, False), full))
rpc("eth_getBlockReceipts", req(BLOCK))(lambda n, blk: n.get_block_receipts(blk))
rpc("eth_getBlockTransactionCountByNumber", req(block_number_or_tag))(
    lambda n, blk: q(n.get_block_tx_count(blk)))
rpc("eth_getBlockTransactionCountByHash", req(HASH))(lambda n, h: q(n.get_block_tx_count(("hash", h, False))))
rpc("eth_getTransactionByBlockNumberAndIndex", req(block_number_or_tag), req(QTY))(
    lambda n, blk, i: n.get_tx_by_block(blk, i))
rpc("eth_getTransactionByBlockHashAndIndex", req(HASH), req(QTY))(
    lambda n, h, i: n.get_tx_by_block(("hash", h, False), i))
rpc("eth_getLogs", req(log_filter))(
    lambda n, f: n.get_logs(f["from"], f["to"], f["hash"], f["addresses"], f["topics"]))
rpc("txpool_status")(lambda n: _txpool_status(n))

# Test helpers (hardhat/anvil names and semantics).
rpc("evm_snapshot")(lambda n: q(n.snapshot()))
rpc("evm_revert", req(QTY))(lambda n, sid: n.revert(sid))
rpc("evm_mine", opt(QTY))(lambda n, ts: (n.mine(ts), "0x0")[1])
rpc("evm_increaseTime", req(QTY))(lambda n, secs: q(n.increase_time(secs)))
rpc("evm_setNextBlockTimestamp", req(QTY))(lambda n, ts: (n.set_next_block_timestamp(ts), True)[1])
rpc("evm_setAutomine", req(BOOL))(lambda n, on: (n.set_automine(on), True)[1])


def _txpool_status(node: Node) -> dict:
    with node.lock:
        pending = len(node._executable())
        return {"pending": q(pending), "queued": q(len(node.pool) - pending)}


# ---------------------------------------------------------------------------------------------
# Envelope


class Dispatcher:
    """Turns request bodies into response bodies. `log` receives one summary per call."""

    def __init__(self, node: Node, log: Callable[[str], None] = lambda s: None):
        self.node = node
        self.log_error = log

    def call(self, method: str, params) -> Any:
        entry = METHODS.get(method)
        if entry is None:
            raise RPCError(c.METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
        fn, specs = entry
        if params is None:
            params = []
        if not isinstance(params, list):
            raise invalid_params("non-array args")
        if len(params) > len(specs):
            raise invalid_params(f"too many arguments, want at most {len(specs)}")
        args = []
        for i, (parse, default) in enumerate(specs):
            if i < len(params) and params[i] is not None:
                args.append(parse(params[i], f"argument {i}"))
            elif default is REQUIRED:
                raise invalid_params(f"missing value for required argument {i}")
            else:
                args.append(default)
        return fn(self.node, *args)

    def handle_one(self, req) -> tuple[dict | None, str]:
        """One request object -> (response or None for a notification, log summary)."""
        if not isinstance(req, dict):
            return _error(None, RPCError(c.INVALID_REQUEST, "invalid request")), "invalid request"
        rid = req.get("id")
        method = req.get("method")
        if (req.get("jsonrpc") != "2.0" or not isinstance(method, str)
                or isinstance(rid, (dict, list, bool))):
            return _error(rid if isinstance(rid, (str, int, type(None))) else None,
                          RPCError(c.INVALID_REQUEST, "invalid request")), "invalid request"
        is_notification = "id" not in req
        try:
            result = self.call(method, req.get("params"))
            resp, summary = {"jsonrpc": "2.0", "id": rid, "result": result}, method
            if method in ("eth_sendRawTransaction", "eth_sendTransaction"):
                summary = f"{method} {result}"  # the hash, to follow a tx through the log
        except RPCError as e:
            resp, summary = _error(rid, e), f"{method} error {e.code}: {e.message}"
        except Exception as e:  # a bug or py-evm surprise: answer, log, keep serving
            self.log_error(f"{method} internal error:\n{traceback.format_exc()}")
            resp, summary = _error(rid, RPCError(c.INTERNAL_ERROR, f"internal error: {e}")), f"{method} internal error"
        return (None if is_notification else resp), summary

    def handle_body(self, body: bytes) -> tuple[bytes | None, str]:
        """A request body -> (response body or None, one-line log summary)."""
        try:
            req = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _dump(_error(None, RPCError(c.PARSE_ERROR, "parse error"))), "parse error"
        if isinstance(req, list):
            if not req:
                return _dump(_error(None, RPCError(c.INVALID_REQUEST, "empty batch"))), "empty batch"
            if len(req) > MAX_BATCH:
                return _dump(_error(None, RPCError(c.INVALID_REQUEST, "batch too large"))), "batch too large"
            out, summaries = [], []
            for item in req:
                resp, summary = self.handle_one(item)
                summaries.append(summary)
                if resp is not None:
                    out.append(resp)
            shown = ", ".join(summaries[:4]) + (f", ... (+{len(summaries) - 4})" if len(summaries) > 4 else "")
            return (_dump(out) if out else None), f"batch[{len(req)}] {shown}"
        resp, summary = self.handle_one(req)
        return (None if resp is None else _dump(resp)), summary


def _error(rid, err: RPCError) -> dict:
    return {"jsonrpc": "2.0", "id": rid, "error": err.to_json()}


def _dump(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


if __name__ == "__main__":  # pragma: no cover - `python -m devnet_rpc.methods` lists methods
    print("\n".join(sorted(METHODS)), file=sys.stdout)
