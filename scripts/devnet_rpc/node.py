"""The devnet node: a py-evm chain, a transaction pool, block production and queries.

Why not eth-tester's EthereumTester: it was tried here and its gaps are exactly what a bridge
test exercises - it mines transactions signed for another chain id, rejects future nonces
instead of queueing them, has no replacement rule, scans the whole chain for every
transaction lookup and eth_getLogs, returns receipts without a logsBloom, computes fee history
wrongly, and lets TIMESTAMP see a stale time after a time jump. So this module drives py-evm's
MiningChain directly:

* Blocks are built here (`_mine`): the next header is created with the wanted timestamp and a
  random prevrandao, the chosen pool transactions are applied one by one (a transaction that
  no longer validates is dropped instead of failing the block), and the block is sealed and
  persisted. Building the tries once per block keeps interval mining linear.
* Every mined block is turned into the JSON the RPC returns right away (`BlockRecord`), with
  indexes from hash to block and transaction, so reads never touch py-evm (no chain scans).
* State reads (balance, code, eth_call, eth_estimateGas) run on py-evm state at a block's state
  root; they never persist anything.
* Snapshots record the head, the pool and the clock; reverting truncates the records and moves
  py-evm's canonical head back, which is how tests simulate an L1 reorg.

py-evm is not thread-safe: every public method takes `self.lock`.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

import rlp
from eth._utils.address import generate_contract_address
from eth._utils.calculations import fake_exponential
from eth.chains.base import MiningChain
from eth.constants import GENESIS_PARENT_HASH, SECPK1_N, POST_MERGE_MIX_HASH, POST_MERGE_NONCE, ZERO_ADDRESS
from eth.db import get_db_backend
from eth.exceptions import InvalidInstruction, OutOfGas, Revert
from eth.vm.forks import PragueVM
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth.vm.forks.prague.constants import BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE, MAX_BLOB_GAS_PER_BLOCK
from eth.vm.spoof import SpoofTransaction
from eth_keys import keys
from eth_utils import ValidationError, keccak

from . import format as fmt
from .codec import RPCError, EXECUTION_REVERTED, addr, b, invalid_params, q, server_error
from .txpool import MAX_POOL_SIZE, PoolTx, TxPool

GWEI = 10**9
DEFAULT_GAS_LIMIT = 30_000_000  # mainnet-like block gas limit, as anvil and hardhat use
RPC_GAS_CAP = 50_000_000  # geth's --rpc.gascap: default gas of eth_call
SUGGESTED_TIP = 1 * GWEI  # eth_maxPriorityFeePerGas, as anvil answers on an idle chain
MAX_TX_SIZE = 128 * 1024  # geth's txpool limit on one transaction's size
ESTIMATE_ERROR_RATIO = 0.015  # geth's eth_estimateGas tolerance (returns at most 1.5% over)
CALL_STIPEND = 2300
SUPPORTED_TX_TYPES = (0, 1, 2)  # legacy (EIP-155 or not), EIP-2930, EIP-1559


@dataclass(slots=True)
class MinedTx:
    hash: bytes
    sender: bytes
    gas_used: int
    tip: int  # effective tip per gas: eth_feeHistory rewards
    json: dict  # eth_getTransactionByHash
    receipt: dict  # eth_getTransactionReceipt


@dataclass(slots=True)
class BlockRecord:
    header: object
    hash: bytes
    number: int
    txs: list[MinedTx]
    logs: list[dict]
    json: dict  # eth_getBlockByNumber without "transactions"


@dataclass
class CallMsg:
    """An eth_call / eth_estimateGas request, already decoded."""
    sender: bytes = ZERO_ADDRESS
    to: bytes = b""  # b"" = contract creation
    gas: int | None = None
    gas_price: int | None = None
    max_fee: int | None = None
    max_tip: int | None = None
    value: int = 0
    data: bytes = b""
    access_list: tuple = ()

    @property
    def priced(self) -> bool:
        return bool(self.gas_price or self.max_fee or self.max_tip)

    def fees(self) -> tuple[int, int]:
        """(fee cap, tip cap) the way geth's TransactionArgs.ToMessage derives them."""
        if self.gas_price is not None:
            return self.gas_price, self.gas_price
        return self.max_fee or 0, self.max_tip or 0


@dataclass
class Snapshot:
    number: int
    hash: bytes
    pool: dict
    time_offset: int
    next_timestamp: int | None


def _make_chain_class(chain_id: int):
    class DevnetChain(MiningChain):
        vm_configuration = ((0, PragueVM),)

    DevnetChain.chain_id = chain_id
    return DevnetChain


class Node:
    def __init__(self, chain_id: int, accounts: list[bytes], balance_wei: int, *,
                 finality_depth: int = 2, automine: bool = True,
                 gas_limit: int = DEFAULT_GAS_LIMIT, dev_keys: dict[bytes, bytes] | None = None,
                 log: Callable[[str], None] = lambda msg: None):
        self.lock = threading.RLock()
        self.chain_id = chain_id
        self.accounts = list(accounts)
        self.dev_keys = dict(dev_keys or {})  # address -> private key, for eth_sendTransaction
        self.finality_depth = finality_depth
        self.automine = automine
        self.log = log
        self.pool = TxPool()
        self.time_offset = 0  # seconds added to the wall clock (evm_increaseTime & co)
        self.next_timestamp: int | None = None  # evm_setNextBlockTimestamp
        self.snapshots: dict[int, Snapshot] = {}
        self.next_snapshot_id = 1

        genesis_params = {
            "coinbase": ZERO_ADDRESS, "difficulty": 0, "extra_data": b"", "gas_limit": gas_limit,
            "mix_hash": POST_MERGE_MIX_HASH, "nonce": POST_MERGE_NONCE,
            "timestamp": int(time.time()),
        }
        genesis_state = {a: {"balance": balance_wei, "nonce": 0, "code": b"", "storage": {}}
                         for a in self.accounts}
        self.chain = _make_chain_class(chain_id).from_genesis(get_db_backend(), genesis_params, genesis_state)
        genesis = self.chain.get_canonical_block_by_number(0)
        self._tx_builder = PragueVM.get_transaction_builder()  # one fork for the whole chain
        self.blocks: list[BlockRecord] = []
        self.block_by_hash: dict[bytes, int] = {}
        self.tx_index: dict[bytes, tuple[int, int]] = {}  # tx hash -> (block number, index)
        self._record_block(genesis, [], [])

    # -----------------------------------------------------------------------------------------
    # Block selection

    @property
    def head(self) -> BlockRecord:
        return self.blocks[-1]

    def _number_of(self, block_id) -> int | None:
        """The block a tag/number/EIP-1898 id names; None if there is no such block."""
        head = len(self.blocks) - 1
        if block_id in ("latest", "pending"):  # "pending" state = latest: see devnet_server.py
            return head
        if block_id == "earliest":
            return 0
        if block_id in ("safe", "finalized"):
            return max(0, head - self.finality_depth)
        if isinstance(block_id, tuple):
            return self.block_by_hash.get(block_id[1])
        return block_id if block_id <= head else None

    def _record(self, block_id) -> BlockRecord:
        """For state queries: a missing block is an error, as in geth."""
        n = self._number_of(block_id)
        if n is None:
            raise server_error("header for hash not found" if isinstance(block_id, tuple) else "header not found")
        return self.blocks[n]

    def _state(self, rec: BlockRecord):
        return self.chain.get_vm(rec.header).state

    # -----------------------------------------------------------------------------------------
    # Simple queries

    def block_number(self) -> int:
        with self.lock:
            return self.head.number

    def get_balance(self, address: bytes, block_id) -> int:
        with self.lock:
            return self._state(self._record(block_id)).get_balance(address)

    def get_code(self, address: bytes, block_id) -> bytes:
        with self.lock:
            return self._state(self._record(block_id)).get_code(address)

    def get_storage(self, address: bytes, slot: int, block_id) -> int:
        with self.lock:
            return self._state(self._record(block_id)).get_storage(address, slot)

    def get_nonce(self, address: bytes, block_id) -> int:
        with self.lock:
            nonce = self._state(self._record(block_id)).get_nonce(address)
            if block_id == "pending":  # geth: the next nonce after the sender's pooled txs
                nonce = self.pool.pending_nonce(address, nonce)
            return nonce

    def next_base_fee(self) -> int:
        with self.lock:
            return calculate_expected_base_fee_per_gas(self.head.header)

    def gas_price(self) -> int:
        """Tip plus the next block's base fee: a legacy tx priced so is always includable."""
        return self.next_base_fee() + SUGGESTED_TIP

    # -----------------------------------------------------------------------------------------
    # Blocks, transactions, receipts, logs

    def get_block(self, block_id, full: bool) -> dict | None:
        with self.lock:
            if block_id == "pending":
                return self._pending_block_json(full)
            n = self._number_of(block_id)
            if n is None:
                return None
            rec = self.blocks[n]
            d = dict(rec.json)
            d["transactions"] = [t.json for t in rec.txs] if full else [b(t.hash) for t in rec.txs]
            return d

    def get_block_tx_count(self, block_id) -> int | None:
        with self.lock:
            if block_id == "pending":
                return len(self._executable())
            n = self._number_of(block_id)
            return None if n is None else len(self.blocks[n].txs)

    def get_tx_by_block(self, block_id, index: int) -> dict | None:
        with self.lock:
            n = self._number_of(block_id)
            if n is None or index >= len(self.blocks[n].txs):
                return None
            return self.blocks[n].txs[index].json

    def get_transaction(self, tx_hash: bytes) -> dict | None:
        with self.lock:
            where = self.tx_index.get(tx_hash)
            if where is not None:
                return self.blocks[where[0]].txs[where[1]].json
            ptx = self.pool.by_hash.get(tx_hash)
            return None if ptx is None else fmt.tx_json(ptx.tx, ptx.hash, ptx.sender)

    def get_receipt(self, tx_hash: bytes) -> dict | None:
        with self.lock:
            where = self.tx_index.get(tx_hash)
            return None if where is None else self.blocks[where[0]].txs[where[1]].receipt

    def get_block_receipts(self, block_id) -> list | None:
        with self.lock:
            n = self._number_of(block_id)
            return None if n is None else [t.receipt for t in self.blocks[n].txs]

    def get_logs(self, from_block, to_block, block_hash: bytes | None,
                 addresses: set[bytes] | None, topics: list[set[str] | None]) -> list[dict]:
        """eth_getLogs over the per-block log lists (no chain scan through py-evm)."""
        with self.lock:
            if block_hash is not None:
                n = self.block_by_hash.get(block_hash)
                if n is None:
                    raise server_error("unknown block")
                lo = hi = n
            else:
                head = self.head.number
                lo = self._number_of(from_block)
                hi = self._number_of(to_block)
                if lo is None:  # from beyond the head: nothing yet (geth answers [] too)
                    return []
                if hi is None:
                    hi = head
                if lo > hi:
                    raise invalid_params("invalid block range params")
            addr_hex = None if addresses is None else {addr(a) for a in addresses}
            out = []
            for n in range(lo, hi + 1):
                for log in self.blocks[n].logs:
                    if addr_hex is not None and log["address"] not in addr_hex:
                        continue
                    if _topics_match(log["topics"], topics):
                        out.append(log)
            return out

    def fee_history(self, count: int, newest, percentiles: list[float]) -> dict:
        """eth_feeHistory as specified: blockCount+1 base fees (the last one is the next block's),
        gas used ratios, and for each block the effective tips at the given gas-weighted
        percentiles (geth's algorithm)."""
        with self.lock:
            newest_n = self._number_of("latest" if newest == "pending" else newest)
            if newest_n is None:
                raise invalid_params("request beyond head block")
            count = min(count, 1024, newest_n + 1)
            if count == 0:
                return {"oldestBlock": "0x0", "baseFeePerGas": [], "gasUsedRatio": []}
            oldest = newest_n - count + 1
            recs = self.blocks[oldest:newest_n + 1]
            headers = [r.header for r in recs]
            base = [h.base_fee_per_gas for h in headers] + [calculate_expected_base_fee_per_gas(headers[-1])]
            blob_base = [fake_exponential(1, getattr(h, "excess_blob_gas", 0) or 0,
                                          BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE) for h in headers]
            blob_base.append(blob_base[-1])  # no blob transactions are accepted: it never moves
            out = {
                "oldestBlock": q(oldest),
                "baseFeePerGas": [q(x) for x in base],
                "gasUsedRatio": [h.gas_used / h.gas_limit for h in headers],
                "baseFeePerBlobGas": [q(x) for x in blob_base],
                "blobGasUsedRatio": [(getattr(h, "blob_gas_used", 0) or 0) / MAX_BLOB_GAS_PER_BLOCK
                                     for h in headers],
            }
            if percentiles:
                out["reward"] = [[q(x) for x in _block_rewards(r, percentiles)] for r in recs]
            return out

    def _executable(self) -> list[PoolTx]:
        state = self._state(self.head)
        return self.pool.executable(state.get_nonce, calculate_expected_base_fee_per_gas(self.head.header))

    def _pending_block_json(self, full: bool) -> dict:
        """The block the pool would produce next. Not executed: roots are the head's and
        gasUsed counts the transactions' gas limits (deviations: devnet_server.py)."""
        parent = self.head.header
        txs = self._executable()
        d = fmt.header_json(parent, None, None)
        d.update({
            "number": q(parent.block_number + 1),
            "parentHash": b(self.head.hash),
            "timestamp": q(max(int(time.time()) + self.time_offset, parent.timestamp + 1)),
            "baseFeePerGas": q(calculate_expected_base_fee_per_gas(parent)),
            "gasUsed": q(sum(p.tx.gas for p in txs)),
            "logsBloom": None,
        })
        d["transactions"] = ([fmt.tx_json(p.tx, p.hash, p.sender) for p in txs] if full
                             else [b(p.hash) for p in txs])
        return d

    # -----------------------------------------------------------------------------------------
    # Sending transactions

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Validates like geth's txpool, pools the transaction, and (automine) mines it."""
        with self.lock:
            ptx, state_nonce = self._admit(raw)
            if self.automine:
                self._automine_sender(ptx, state_nonce)
            return ptx.hash

    def _admit(self, raw: bytes) -> tuple[PoolTx, int]:
        """Checks a raw transaction in geth's order and adds it to the pool; returns it and its
        sender's state nonce."""
        if len(raw) > MAX_TX_SIZE:
            raise server_error("oversized data")
        if not raw:
            raise server_error("typed transaction too short")
        if raw[0] < 0x80 and raw[0] not in SUPPORTED_TX_TYPES:
            raise server_error("transaction type not supported")
        try:
            tx = self._tx_builder.decode(raw)
        except Exception as e:  # rlp/decoding errors of any kind
            raise server_error(f"rlp: {e}") from None
        tx_hash = keccak(raw)
        if tx_hash in self.pool.by_hash:
            raise server_error("already known")

        # The chain id check eth-tester lacks (geth: types.ErrInvalidChainId). Legacy
        # transactions without EIP-155 protection are accepted, as hardhat and anvil do.
        chain_id = fmt.tx_chain_id(tx)
        if chain_id is not None and chain_id != self.chain_id:
            raise server_error(f"invalid chain id for signer: have {chain_id} want {self.chain_id}")
        if not 0 < tx.r < SECPK1_N or not 0 < tx.s <= SECPK1_N // 2:  # EIP-2: low s only
            raise server_error("invalid transaction v, r, s values")
        try:
            sender = tx.sender  # recovery is the signature check (libsecp256k1: fast)
        except Exception:
            raise server_error("invalid sender") from None

        head = self.head.header
        fee_cap, tip_cap = fmt.fee_cap(tx), fmt.tip_cap(tx)
        if tx.gas > head.gas_limit:
            raise server_error("exceeds block gas limit")
        if tip_cap > fee_cap:
            raise server_error("max priority fee per gas higher than max fee per gas")
        if tx.gas < tx.intrinsic_gas:
            raise server_error(f"intrinsic gas too low: gas {tx.gas}, minimum needed {tx.intrinsic_gas}")
        try:
            tx.validate()  # py-evm's field range checks
        except ValidationError as e:
            raise server_error(f"invalid transaction: {e}") from None

        state = self._state(self.head)
        state_nonce = state.get_nonce(sender)
        if tx.nonce < state_nonce:
            raise server_error(f"nonce too low: next nonce {state_nonce}, tx nonce {tx.nonce}")
        base_fee = calculate_expected_base_fee_per_gas(head)
        if fee_cap < base_fee:
            raise server_error(f"max fee per gas less than block base fee: address {_checksum(sender)}, "
                               f"maxFeePerGas: {fee_cap}, baseFee: {base_fee}")
        balance = state.get_balance(sender)
        cost = tx.gas * fee_cap + tx.value
        if balance < cost:
            raise server_error(f"insufficient funds for gas * price + value: balance {balance}, "
                               f"tx cost {cost}, overshot {cost - balance}")

        ptx = PoolTx(tx=tx, hash=tx_hash, raw=raw, sender=sender, nonce=tx.nonce,
                     fee_cap=fee_cap, tip_cap=tip_cap, seq=self.pool.next_seq())
        err = self.pool.replacement_error(ptx)
        if err:
            raise server_error(err)
        if len(self.pool) >= MAX_POOL_SIZE and self.pool.get(sender, tx.nonce) is None:
            raise server_error("txpool is full")
        replaced = self.pool.add(ptx)
        if replaced is not None:
            self.log(f"replaced {b(replaced.hash)} with {b(ptx.hash)}")
        return ptx, state_nonce

    def _automine_sender(self, ptx: PoolTx, nonce: int) -> None:
        """Automine: each executable transaction in its own block, then any queued ones the
        new transaction unblocked (the gap is filled)."""
        while (nxt := self.pool.get(ptx.sender, nonce)) is not None:
            _, rejected = self._mine([nxt])
            if rejected:
                if nxt is ptx:
                    raise server_error(rejected[0][1])
                break
            nonce += 1

    def send_transaction(self, fields: dict) -> bytes:
        """eth_sendTransaction for the dev accounts (the node holds their keys, as geth --dev)."""
        with self.lock:
            sender = fields["from"]
            key = self.dev_keys.get(sender)
            if key is None:
                raise server_error("unknown account")
            state = self._state(self.head)
            nonce = fields.get("nonce")
            if nonce is None:
                nonce = self.pool.pending_nonce(sender, state.get_nonce(sender))
            msg = CallMsg(sender=sender, to=fields.get("to") or b"", value=fields.get("value", 0),
                          data=fields.get("data", b""), gas_price=fields.get("gasPrice"),
                          max_fee=fields.get("maxFeePerGas"), max_tip=fields.get("maxPriorityFeePerGas"),
                          gas=fields.get("gas"))
            gas = msg.gas if msg.gas is not None else self._estimate(msg, self.head)
            builder = self._tx_builder
            pk = keys.PrivateKey(key)
            if msg.gas_price is not None:
                utx = builder.create_unsigned_transaction(nonce=nonce, gas_price=msg.gas_price, gas=gas,
                                                          to=msg.to, value=msg.value, data=msg.data)
                raw = rlp.encode(utx.as_signed_transaction(pk, chain_id=self.chain_id))
            else:
                tip = msg.max_tip if msg.max_tip is not None else SUGGESTED_TIP
                cap = msg.max_fee if msg.max_fee is not None else 2 * self.next_base_fee() + tip
                utx = builder.new_unsigned_dynamic_fee_transaction(
                    chain_id=self.chain_id, nonce=nonce, max_priority_fee_per_gas=tip,
                    max_fee_per_gas=cap, gas=gas, to=msg.to, value=msg.value, data=msg.data,
                    access_list=())
                raw = utx.as_signed_transaction(pk).encode()
            return self.send_raw_transaction(raw)

    # -----------------------------------------------------------------------------------------
    # Block production

    def _take_timestamp(self, parent_ts: int, explicit: int | None) -> int:
        """Wall clock plus offset, at least a second after the parent (py-evm requires a strictly
        later timestamp, and geth's dev mode advances at least 1 s per block). An explicit
        time re-bases the offset so later blocks continue from it, as hardhat does."""
        if explicit is None and self.next_timestamp is not None:
            explicit, self.next_timestamp = self.next_timestamp, None
        now = int(time.time())
        if explicit is not None:
            self.time_offset = explicit - now
            return explicit
        return max(now + self.time_offset, parent_ts + 1)

    def _mine(self, candidates: list[PoolTx], timestamp: int | None = None):
        """Builds, seals and records one block from `candidates` (in order). Returns the record
        and the candidates that no longer validate (dropped from the pool)."""
        parent = self.head.header
        header = self.chain.create_header_from_parent(
            parent, timestamp=self._take_timestamp(parent.timestamp, timestamp),
            mix_hash=os.urandom(32),  # prevrandao: random, as on a real post-merge chain
            gas_limit=parent.gas_limit, coinbase=ZERO_ADDRESS)
        vm = self.chain.get_vm(header)
        current = header
        included, receipts, rejected, blocked = [], [], [], set()
        for ptx in candidates:
            if ptx.sender in blocked:
                continue
            if current.gas_used + ptx.tx.gas > current.gas_limit:
                blocked.add(ptx.sender)  # waits for the next block, nonces stay in order
                continue
            try:
                receipt, _ = vm.apply_transaction(current, ptx.tx)
            except ValidationError as e:  # raised before any state change
                rejected.append((ptx, _geth_validation_message(str(e))))
                blocked.add(ptx.sender)
                continue
            current = vm.add_receipt_to_header(current, receipt)
            current = vm.increment_blob_gas_used(current, ptx.tx)
            included.append(ptx)
            receipts.append(receipt)

        block = vm.set_block_transactions_and_withdrawals(
            vm.get_block(), current, [p.tx for p in included], receipts)
        block = vm.mine_block(block).block
        self.chain.chaindb.persist_block(block)
        self.chain.header = self.chain.create_header_from_parent(block.header)
        self._record_block(block, included, receipts)

        for ptx in included:
            self.pool.remove(ptx)
        for ptx, reason in rejected:
            self.pool.remove(ptx)
            self.log(f"dropped {b(ptx.hash)}: {reason}")
        next_nonce = {}
        for ptx in included:  # in nonce order per sender
            next_nonce[ptx.sender] = ptx.nonce + 1
        for sender, nonce in next_nonce.items():
            self.pool.prune(sender, nonce)
        return self.head, rejected

    def _record_block(self, block, included: list[PoolTx], receipts: list) -> None:
        """Turns a sealed block into the JSON answers and indexes the RPC serves."""
        header = block.header
        block_hash = header.hash
        number = header.block_number
        base_fee = header.base_fee_per_gas
        txs, logs = [], []
        prev_cumulative = 0
        for i, (ptx, receipt) in enumerate(zip(included, receipts)):
            tx = ptx.tx
            gas_used = receipt.gas_used - prev_cumulative
            prev_cumulative = receipt.gas_used
            tx_logs = []
            for log in receipt.logs:
                tx_logs.append(fmt.log_json(log, block_hash, number, header.timestamp, ptx.hash, i, len(logs)))
                logs.append(tx_logs[-1])
            contract = None if tx.to else generate_contract_address(ptx.sender, tx.nonce)
            txs.append(MinedTx(
                hash=ptx.hash, sender=ptx.sender, gas_used=gas_used,
                tip=fmt.effective_gas_price(tx, base_fee) - base_fee,
                json=fmt.tx_json(tx, ptx.hash, ptx.sender, block_hash, number, i, base_fee),
                receipt=fmt.receipt_json(tx, ptx.hash, ptx.sender, receipt, tx_logs, block_hash,
                                         number, i, gas_used, base_fee, contract)))
            self.tx_index[ptx.hash] = (number, i)
        rec = BlockRecord(header=header, hash=block_hash, number=number, txs=txs, logs=logs,
                          json=fmt.header_json(header, block_hash, len(rlp.encode(block))))
        self.blocks.append(rec)
        self.block_by_hash[block_hash] = number

    def mine(self, timestamp: int | None = None) -> BlockRecord:
        """evm_mine and the interval miner: one block with every executable pool transaction."""
        with self.lock:
            if timestamp is not None and timestamp <= self.head.header.timestamp:
                raise invalid_params(f"timestamp {timestamp} is not after the latest block's "
                                     f"{self.head.header.timestamp}")
            rec, _ = self._mine(self._executable(), timestamp)
            return rec

    def set_automine(self, enabled: bool) -> None:
        with self.lock:
            self.automine = enabled
            if enabled and self._executable():
                self._mine(self._executable())

    def increase_time(self, seconds: int) -> int:
        """Moves the clock so the next block is at least `seconds` after the head. Relative to
        the head, not just the wall clock: automined bursts run chain time ahead of the wall
        clock (1 s per block), and a test that waits out a challenge period with
        evm_increaseTime must see the whole period pass on chain."""
        with self.lock:
            now = int(time.time())
            self.time_offset = max(self.time_offset + seconds, self.head.header.timestamp + seconds - now)
            return self.time_offset

    def set_next_block_timestamp(self, timestamp: int) -> None:
        with self.lock:
            if timestamp <= self.head.header.timestamp:
                raise invalid_params(f"timestamp {timestamp} is not after the latest block's "
                                     f"{self.head.header.timestamp}")
            self.next_timestamp = timestamp

    # -----------------------------------------------------------------------------------------
    # Snapshots (reorg simulation)

    def snapshot(self) -> int:
        with self.lock:
            sid = self.next_snapshot_id
            self.next_snapshot_id += 1
            self.snapshots[sid] = Snapshot(self.head.number, self.head.hash, self.pool.snapshot(),
                                           self.time_offset, self.next_timestamp)
            return sid

    def revert(self, sid: int) -> bool:
        """Back to the snapshot's head, pool and clock; the snapshot and later ones are
        consumed (hardhat/ganache semantics). Blocks after it vanish: their hashes, txs and
        logs are unknown afterwards, exactly as after a reorg."""
        with self.lock:
            snap = self.snapshots.get(sid)
            if snap is None or snap.number >= len(self.blocks) or self.blocks[snap.number].hash != snap.hash:
                return False
            for rec in self.blocks[snap.number + 1:]:
                self.block_by_hash.pop(rec.hash, None)
                for t in rec.txs:
                    self.tx_index.pop(t.hash, None)
            del self.blocks[snap.number + 1:]
            head = self.head.header
            # Keep py-evm's own canonical chain in step (new blocks then extend this head).
            self.chain.chaindb._set_as_canonical_chain_head(self.chain.chaindb.db, head, GENESIS_PARENT_HASH)
            self.chain.header = self.chain.create_header_from_parent(head)
            self.pool.restore(snap.pool)
            self.time_offset, self.next_timestamp = snap.time_offset, snap.next_timestamp
            for later in [k for k in self.snapshots if k >= sid]:
                del self.snapshots[later]
            return True

    # -----------------------------------------------------------------------------------------
    # eth_call / eth_estimateGas

    def _execute(self, rec: BlockRecord, msg: CallMsg, gas: int):
        """Runs a message on the state of `rec` without persisting anything.

        As geth: an unpriced call runs with base fee 0 (so it needs no balance for gas) and
        without nonce checks; a priced one pays base fee + tip like a real transaction.
        """
        header = rec.header if msg.priced else rec.header.copy(base_fee_per_gas=0)
        vm = self.chain.get_vm(header)
        state = vm.state
        fee_cap, tip_cap = msg.fees()
        utx = vm.get_transaction_builder().new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain_id, nonce=state.get_nonce(msg.sender),
            max_priority_fee_per_gas=tip_cap, max_fee_per_gas=fee_cap, gas=gas, to=msg.to,
            value=msg.value, data=msg.data, access_list=msg.access_list)
        # r/s only satisfy py-evm's signature-shape check; the sender is given explicitly.
        spoofed = SpoofTransaction(utx, from_=msg.sender, r=1, s=1, y_parity=0)
        try:
            return state.apply_transaction(spoofed)
        except ValidationError as e:
            raise server_error(_geth_validation_message(str(e))) from None

    def _gas_cap(self, rec: BlockRecord, msg: CallMsg, default: int) -> int:
        """eth_estimateGas's upper bound: the given gas or `default`, capped (as geth does) by
        what the sender can pay at the given fee cap."""
        gas = msg.gas if msg.gas is not None else default
        fee_cap, _ = msg.fees()
        if msg.priced and fee_cap:
            balance = self._state(rec).get_balance(msg.sender)
            if balance < msg.value:
                raise server_error("insufficient funds for transfer")
            gas = min(gas, (balance - msg.value) // fee_cap)
        return gas

    def call(self, msg: CallMsg, block_id) -> bytes:
        with self.lock:
            rec = self._record(block_id)
            comp = self._execute(rec, msg, msg.gas if msg.gas is not None else RPC_GAS_CAP)
            if comp.is_error:
                raise _execution_error(comp, "out of gas")
            return comp.output

    def estimate_gas(self, msg: CallMsg, block_id) -> int:
        with self.lock:
            return self._estimate(msg, self._record(block_id))

    def _estimate(self, msg: CallMsg, rec: BlockRecord) -> int:
        """geth's algorithm: run at the cap, then binary-search down to within 1.5%."""
        hi = self._gas_cap(rec, msg, rec.header.gas_limit)
        if hi < 21000:
            raise server_error(f"gas required exceeds allowance ({hi})")
        if msg.to and not msg.data and not self._state(rec).get_code(msg.to):
            return 21000  # plain transfer to an account without code
        comp = self._execute(rec, msg, hi)
        if comp.is_error:
            raise _execution_error(comp, f"gas required exceeds allowance ({hi})")
        used = hi - comp.get_gas_remaining()
        refund = comp.get_gas_refund()
        lo = max(used - 1, 20999)
        optimistic = (used + refund + CALL_STIPEND) * 64 // 63
        if lo < optimistic < hi:
            if self._succeeds(rec, msg, optimistic):
                hi = optimistic
            else:
                lo = optimistic
        while lo + 1 < hi and (hi - lo) / hi >= ESTIMATE_ERROR_RATIO:
            mid = (hi + lo) // 2
            if mid > lo * 2:  # geth: the answer is usually near the bottom
                mid = lo * 2
            if self._succeeds(rec, msg, mid):
                hi = mid
            else:
                lo = mid
        return hi

    def _succeeds(self, rec: BlockRecord, msg: CallMsg, gas: int) -> bool:
        try:
            return self._execute(rec, msg, gas).is_success
        except RPCError:  # e.g. below the intrinsic/EIP-7623 floor gas: too little
            return False


# ---------------------------------------------------------------------------------------------
# helpers


def _checksum(a: bytes) -> str:
    from eth_utils import to_checksum_address
    return to_checksum_address(a)


def _topics_match(log_topics: list[str], wanted: list[set[str] | None]) -> bool:
    """eth_getLogs topic filter: position i matches when wanted[i] is None (any) or contains it."""
    if len(wanted) > len(log_topics):
        return False
    return all(w is None or log_topics[i] in w for i, w in enumerate(wanted))


def _block_rewards(rec: BlockRecord, percentiles: list[float]) -> list[int]:
    """geth's feeHistory reward: tips sorted ascending, weighted by gas used."""
    if not rec.txs:
        return [0] * len(percentiles)
    txs = sorted(rec.txs, key=lambda t: t.tip)
    gas_used = rec.header.gas_used
    out, idx, acc = [], 0, txs[0].gas_used
    for p in percentiles:
        threshold = int(gas_used * p / 100)
        while acc < threshold and idx < len(txs) - 1:
            idx += 1
            acc += txs[idx].gas_used
        out.append(txs[idx].tip)
    return out


def _geth_validation_message(msg: str) -> str:
    """py-evm's validation wording -> the geth error string clients match on."""
    low = msg.lower()
    if "balance" in low or "afford" in low:
        return "insufficient funds for gas * price + value"
    if "nonce" in low:
        return "nonce too high" if "expected" in low else msg
    if "base fee" in low:
        return "max fee per gas less than block base fee"
    if "intrinsic" in low or "insufficient gas" in low or "cannot be negative" in low:
        return "intrinsic gas too low"
    if "gas limit" in low:
        return "gas limit reached"
    return msg


def _execution_error(comp, out_of_gas_message: str) -> RPCError:
    err = comp.error
    if isinstance(err, Revert):
        data = comp.output
        return RPCError(EXECUTION_REVERTED, fmt.revert_message(data), b(data))
    if isinstance(err, OutOfGas):
        return server_error(out_of_gas_message)
    if isinstance(err, InvalidInstruction):
        return server_error("invalid opcode: " + str(err).replace("Invalid opcode ", ""))
    text = str(err) or type(err).__name__
    return server_error(text[0].lower() + text[1:] if text else "execution failed")
