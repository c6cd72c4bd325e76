"""The transaction pool: what geth's txpool does that eth-tester does not.

eth-tester applies a transaction on arrival or rejects it; a real node keeps it. Clients rely
on the difference: a transaction with a future nonce waits ("queued") until the gap is filled;
one that reuses a pending nonce replaces it only when both fee caps rise by at least 10%
("replacement transaction underpriced" otherwise); resubmitting a pooled one says
"already known". The pool holds both kinds per sender, keyed by nonce; which ones are
executable is decided against the sender's state nonce when a block is built.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

PRICE_BUMP_PERCENT = 10  # geth's txpool.pricebump
MAX_POOL_SIZE = 8192  # geth: 5120 executable + 1024 queued slots; a devnet can be generous


@dataclass(slots=True)
class PoolTx:
    tx: object  # py-evm signed transaction (its sender is recovered and cached)
    hash: bytes
    raw: bytes
    sender: bytes
    nonce: int
    fee_cap: int
    tip_cap: int
    seq: int  # arrival order: geth breaks price ties by time


class TxPool:
    def __init__(self) -> None:
        self.by_sender: dict[bytes, dict[int, PoolTx]] = {}
        self.by_hash: dict[bytes, PoolTx] = {}
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self.by_hash)

    def get(self, sender: bytes, nonce: int) -> PoolTx | None:
        return self.by_sender.get(sender, {}).get(nonce)

    def next_seq(self) -> int:
        return next(self._seq)

    def replacement_error(self, new: PoolTx) -> str | None:
        """geth's rule: a same-nonce transaction must raise both caps by PRICE_BUMP_PERCENT."""
        old = self.get(new.sender, new.nonce)
        if old is None:
            return None
        bump = 100 + PRICE_BUMP_PERCENT
        if (new.fee_cap <= old.fee_cap or new.tip_cap <= old.tip_cap
                or new.fee_cap < old.fee_cap * bump // 100 or new.tip_cap < old.tip_cap * bump // 100):
            return "replacement transaction underpriced"
        return None

    def add(self, ptx: PoolTx) -> PoolTx | None:
        """Inserts (or replaces) a transaction; returns the one it replaced."""
        txs = self.by_sender.setdefault(ptx.sender, {})
        old = txs.get(ptx.nonce)
        if old is not None:
            del self.by_hash[old.hash]
        txs[ptx.nonce] = ptx
        self.by_hash[ptx.hash] = ptx
        return old

    def remove(self, ptx: PoolTx) -> None:
        if self.by_hash.pop(ptx.hash, None) is None:
            return
        txs = self.by_sender.get(ptx.sender)
        if txs is not None:
            txs.pop(ptx.nonce, None)
            if not txs:
                del self.by_sender[ptx.sender]

    def prune(self, sender: bytes, state_nonce: int) -> None:
        """Drops a sender's transactions whose nonce the chain has already used."""
        for nonce, ptx in list(self.by_sender.get(sender, {}).items()):
            if nonce < state_nonce:
                self.remove(ptx)

    def pending_nonce(self, sender: bytes, state_nonce: int) -> int:
        """The next nonce after the sender's consecutive (executable) pooled transactions."""
        txs = self.by_sender.get(sender, {})
        n = state_nonce
        while n in txs:
            n += 1
        return n

    def executable(self, nonce_of, base_fee: int) -> list[PoolTx]:
        """All executable transactions in block order: geth's price-and-nonce ordering.

        Each sender's transactions must run in nonce order starting at its state nonce
        (`nonce_of(sender)`); across senders the highest effective tip goes first, ties by
        arrival.
        """
        heap = []
        runs = {}
        for sender, txs in self.by_sender.items():
            n = nonce_of(sender)
            run = []
            while n in txs:
                run.append(txs[n])
                n += 1
            if run:
                runs[sender] = iter(run)
                first = next(runs[sender])
                heapq.heappush(heap, (-min(first.tip_cap, first.fee_cap - base_fee), first.seq, first))
        ordered = []
        while heap:
            _, _, ptx = heapq.heappop(heap)
            ordered.append(ptx)
            nxt = next(runs[ptx.sender], None)
            if nxt is not None:
                heapq.heappush(heap, (-min(nxt.tip_cap, nxt.fee_cap - base_fee), nxt.seq, nxt))
        return ordered

    def snapshot(self) -> dict[bytes, dict[int, PoolTx]]:
        return {s: dict(txs) for s, txs in self.by_sender.items()}

    def restore(self, snap: dict[bytes, dict[int, PoolTx]]) -> None:
        self.by_sender = {s: dict(txs) for s, txs in snap.items()}
        self.by_hash = {p.hash: p for txs in self.by_sender.values() for p in txs.values()}
