"""py-evm objects -> the JSON objects geth returns (transactions, receipts, logs, blocks).

Field names and presence follow geth's RPCTransaction / receipt marshalling, so clients that
were written against geth (the Swift bridge, ethers, web3) parse our answers unchanged.
Results are built once, when a block is mined, and then served from memory.
"""

from __future__ import annotations

from eth_abi import decode as abi_decode

from .codec import addr, b, bloom_bytes, h32, q

# Solidity's Panic(uint256) codes, worded as geth words them in "execution reverted: ...".
PANIC_REASONS = {
    0x00: "generic panic",
    0x01: "assert(false)",
    0x11: "arithmetic underflow or overflow",
    0x12: "division or modulo by zero",
    0x21: "enum overflow",
    0x22: "invalid encoded storage byte array accessed",
    0x31: "out-of-bounds array access; popping on an empty array",
    0x32: "out-of-bounds access of an array or bytesN",
    0x41: "out of memory",
    0x51: "uninitialized function",
}


def tx_type(tx) -> int:
    return getattr(tx, "type_id", None) or 0


def legacy_chain_id(tx) -> int | None:
    """The EIP-155 chain id of a legacy transaction; None when it is not replay-protected."""
    v = tx.v
    return (v - 35) // 2 if v >= 35 else None


def tx_chain_id(tx) -> int | None:
    return tx.chain_id if tx_type(tx) else legacy_chain_id(tx)


def fee_cap(tx) -> int:
    return tx.max_fee_per_gas  # py-evm maps gasPrice onto both fee fields for legacy/2930


def tip_cap(tx) -> int:
    return tx.max_priority_fee_per_gas


def effective_gas_price(tx, base_fee: int) -> int:
    return min(fee_cap(tx), tip_cap(tx) + base_fee)


def access_list_json(tx) -> list:
    return [{"address": addr(entry.account), "storageKeys": [h32(k) for k in entry.storage_keys]}
            for entry in tx.access_list]


def tx_json(tx, tx_hash: bytes, sender: bytes, block_hash: bytes | None = None,
            block_number: int | None = None, index: int | None = None,
            base_fee: int | None = None) -> dict:
    """eth_getTransactionByHash; block fields are null while the transaction is pending."""
    kind = tx_type(tx)
    d = {
        "blockHash": b(block_hash),
        "blockNumber": q(block_number),
        "from": addr(sender),
        "gas": q(tx.gas),
        # geth: the effective price once mined, the fee cap while pending
        "gasPrice": q(effective_gas_price(tx, base_fee) if base_fee is not None else fee_cap(tx)),
        "hash": b(tx_hash),
        "input": b(tx.data),
        "nonce": q(tx.nonce),
        "to": addr(tx.to),
        "transactionIndex": q(index),
        "value": q(tx.value),
        "type": q(kind),
    }
    if kind >= 2:
        d["maxFeePerGas"] = q(tx.max_fee_per_gas)
        d["maxPriorityFeePerGas"] = q(tx.max_priority_fee_per_gas)
    if kind >= 1:
        d["accessList"] = access_list_json(tx)
        d["chainId"] = q(tx.chain_id)
        d["v"] = q(tx.y_parity)
        d["yParity"] = q(tx.y_parity)
    else:
        chain_id = legacy_chain_id(tx)
        if chain_id is not None:
            d["chainId"] = q(chain_id)
        d["v"] = q(tx.v)
    d["r"] = q(tx.r)
    d["s"] = q(tx.s)
    return d


def log_json(log, block_hash: bytes, block_number: int, timestamp: int, tx_hash: bytes,
             tx_index: int, log_index: int) -> dict:
    return {
        "address": addr(log.address),
        "topics": [h32(t) for t in log.topics],
        "data": b(log.data),
        "blockNumber": q(block_number),
        "blockHash": b(block_hash),
        "blockTimestamp": q(timestamp),
        "transactionHash": b(tx_hash),
        "transactionIndex": q(tx_index),
        "logIndex": q(log_index),
        "removed": False,
    }


def receipt_json(tx, tx_hash: bytes, sender: bytes, receipt, logs: list[dict], block_hash: bytes,
                 block_number: int, index: int, gas_used: int, base_fee: int,
                 contract_address: bytes | None) -> dict:
    return {
        "blockHash": b(block_hash),
        "blockNumber": q(block_number),
        "contractAddress": addr(contract_address),
        "cumulativeGasUsed": q(receipt.gas_used),  # py-evm stores the cumulative value
        "effectiveGasPrice": q(effective_gas_price(tx, base_fee)),
        "from": addr(sender),
        "gasUsed": q(gas_used),
        "logs": logs,
        "logsBloom": b(bloom_bytes(receipt.bloom)),
        "status": "0x1" if receipt.state_root == b"\x01" else "0x0",  # EIP-658 status code
        "to": addr(tx.to),
        "transactionHash": b(tx_hash),
        "transactionIndex": q(index),
        "type": q(tx_type(tx)),
    }


def header_json(header, block_hash: bytes | None, size: int | None) -> dict:
    """Block fields other than `transactions` (which the caller adds, as hashes or objects)."""
    d = {
        "number": q(header.block_number),
        "hash": b(block_hash),
        "parentHash": b(header.parent_hash),
        "nonce": b(header.nonce) if block_hash else None,
        "mixHash": b(header.mix_hash),
        "sha3Uncles": b(header.uncles_hash),
        "logsBloom": b(bloom_bytes(header.bloom)),
        "transactionsRoot": b(header.transaction_root),
        "stateRoot": b(header.state_root),
        "receiptsRoot": b(header.receipt_root),
        "miner": addr(header.coinbase) or "0x" + "00" * 20,
        "difficulty": q(header.difficulty),
        "totalDifficulty": "0x0",
        "extraData": b(header.extra_data),
        "size": q(size),
        "gasLimit": q(header.gas_limit),
        "gasUsed": q(header.gas_used),
        "timestamp": q(header.timestamp),
        "uncles": [],
        "baseFeePerGas": q(header.base_fee_per_gas),
        "withdrawals": [],
        "withdrawalsRoot": b(header.withdrawals_root),
    }
    for attr, key in (("blob_gas_used", "blobGasUsed"), ("excess_blob_gas", "excessBlobGas")):
        if hasattr(header, attr):
            d[key] = q(getattr(header, attr))
    for attr, key in (("parent_beacon_block_root", "parentBeaconBlockRoot"),
                      ("requests_hash", "requestsHash")):
        if hasattr(header, attr):
            d[key] = b(getattr(header, attr))
    return d


def revert_message(data: bytes) -> str:
    """geth's wording: "execution reverted", plus the decoded Error(string)/Panic(uint256)."""
    try:
        if data[:4] == bytes.fromhex("08c379a0"):
            return "execution reverted: " + abi_decode(["string"], data[4:])[0]
        if data[:4] == bytes.fromhex("4e487b71"):
            code = abi_decode(["uint256"], data[4:])[0]
            reason = PANIC_REASONS.get(code, f"unknown panic code: {code:#x}")
            return "execution reverted: " + reason
    except Exception:  # malformed ABI payload: the raw data is still returned in `data`
        pass
    return "execution reverted"
