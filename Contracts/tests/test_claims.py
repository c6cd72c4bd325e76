"""EmethRollup claims: by Merkle proof against a final batch (proofs from the Python SDK's port of
OpenZeppelin's merkle-tree, emeth_sdk.merkle, independent of the contract and of the Swift code)
and by Signer ticket; cumulative, never twice."""
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from web3.logs import DISCARD

from conftest import CHALLENGE_PERIOD, CURVE_N, EMT, reverts
from emeth_sdk.merkle import StandardMerkleTree, leaf_hash, node_hash as hash_pair


def settle(chain, credits, index=0, first=1, last=1, deposited=100 * EMT, final=True, credit=None):
    """Deposits enough, commits a batch whose settlement tree holds `credits` (totalCredit
    their sum unless given), optionally waits for finality, and returns the tree."""
    if deposited:
        chain.deposit(chain.users[4], deposited)
    tree = StandardMerkleTree(credits)
    total = chain.rollup.functions.totalDeposited().call()
    prev_credit = chain.rollup.functions.latestBatch().call()[5] if index else 0
    chain.commit(index, first, last, settlement_root=tree.root,
                 credit=credit if credit is not None else max(prev_credit, sum(c for _, c in credits)),
                 cursor=chain.rollup.functions.inboxLength().call())
    assert total >= sum(c for _, c in credits)
    if final:
        chain.travel(CHALLENGE_PERIOD + 1)
    return tree


def committed(chain, last_block, credit=50 * EMT):
    """Deposits `credit` and commits batch 0 over blocks 1..last_block with that totalCredit,
    so tickets up to `last_block` are payable (tickets need a committed block and credit)."""
    chain.deposit(chain.users[4], credit)
    chain.commit(0, 1, last_block, credit=credit, cursor=chain.rollup.functions.inboxLength().call())


def claim(chain, tree, i, index=0, sender=None):
    account, credit = tree.values[i]
    return chain.send(chain.rollup.functions.claim(account, credit, index, tree.proof(i)), sender or account)


def claimed_events(chain, receipt):
    return [dict(e.args) for e in chain.rollup.events.Claimed().process_receipt(receipt, errors=DISCARD)]


def test_oz_port_matches_the_published_openzeppelin_example():
    # From OpenZeppelin merkle-tree's README: StandardMerkleTree.of([[addr, "5000000000000000000"],
    # [addr2, "2500000000000000000"]], ["address", "uint256"]).root
    tree = StandardMerkleTree([("0x1111111111111111111111111111111111111111", 5000000000000000000),
                               ("0x2222222222222222222222222222222222222222", 2500000000000000000)])
    assert "0x" + tree.root.hex() == "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"


def test_claim_by_proof_pays_the_credit_once(chain):
    users = chain.users
    tree = settle(chain, [(users[0], 3 * EMT), (users[1], 5), (users[2], 7 * EMT)])
    before = chain.balance(users[1])
    r = claim(chain, tree, 1)
    assert chain.balance(users[1]) == before + 5
    assert chain.rollup.functions.claimed(users[1]).call() == 5
    assert claimed_events(chain, r) == [{"account": users[1], "amount": 5, "credit": 5, "method": 1, "reference": 0}]
    reverts("EmethRollup: nothing to claim", claim, chain, tree, 1)


def test_anyone_may_claim_for_an_account_and_the_account_is_paid(chain):
    tree = settle(chain, [(chain.users[0], 3 * EMT), (chain.users[1], 4 * EMT)])
    before, stranger_before = chain.balance(chain.users[0]), chain.balance(chain.stranger)
    claim(chain, tree, 0, sender=chain.stranger)
    assert chain.balance(chain.users[0]) == before + 3 * EMT
    assert chain.balance(chain.stranger) == stranger_before


def test_claims_are_cumulative_across_batches(chain):
    u = chain.users[0]
    t0 = settle(chain, [(u, 3 * EMT), (chain.users[1], EMT)], index=0, first=1, last=1)
    claim(chain, t0, 0)
    t1 = settle(chain, [(u, 8 * EMT)], index=1, first=2, last=2, deposited=0)
    before = chain.balance(u)
    r = claim(chain, t1, 0, index=1)
    assert chain.balance(u) == before + 5 * EMT
    assert claimed_events(chain, r)[0]["amount"] == 5 * EMT
    # The old, lower credit of batch 0 pays nothing now.
    reverts("EmethRollup: nothing to claim", claim, chain, t0, 0, 0)


def test_claim_before_finality_reverts(chain):
    tree = settle(chain, [(chain.users[0], EMT), (chain.users[1], EMT)], final=False)
    reverts("EmethRollup: batch not final", claim, chain, tree, 0)
    chain.travel(CHALLENGE_PERIOD - 10)
    reverts("EmethRollup: batch not final", claim, chain, tree, 0)
    chain.travel(11)
    claim(chain, tree, 0)


def test_claim_against_a_reverted_or_unknown_batch_reverts(chain):
    tree = settle(chain, [(chain.users[0], EMT), (chain.users[1], EMT)], final=False)
    chain.send(chain.rollup.functions.challenge(0), chain.guardian)
    chain.travel(CHALLENGE_PERIOD + 1)
    reverts("EmethRollup: unknown batch", claim, chain, tree, 0)
    reverts("EmethRollup: unknown batch", claim, chain, tree, 0, 7)


def test_wrong_credit_account_or_proof_reverts(chain):
    u = chain.users
    tree = settle(chain, [(u[0], 3 * EMT), (u[1], 4 * EMT), (u[2], 5 * EMT)])
    f = chain.rollup.functions
    reverts("EmethRollup: invalid proof", chain.send, f.claim(u[0], 3 * EMT + 1, 0, tree.proof(0)), u[0])
    reverts("EmethRollup: invalid proof", chain.send, f.claim(u[3], 3 * EMT, 0, tree.proof(0)), u[0])
    reverts("EmethRollup: invalid proof", chain.send, f.claim(u[0], 3 * EMT, 0, tree.proof(1)), u[0])
    reverts("EmethRollup: invalid proof", chain.send, f.claim(u[0], 3 * EMT, 0, tree.proof(0)[:-1]), u[0])
    reverts("EmethRollup: invalid proof", chain.send, f.claim(u[0], 3 * EMT, 0, []), u[0])
    assert f.claimed(u[0]).call() == 0


def test_a_64_byte_inner_node_preimage_is_not_a_leaf(chain):
    """Second-preimage attempt: an inner node is keccak(a ‖ b) of two 32-byte children, so
    with single-hashed leaves (account, credit) = (a, b) would 'prove' the inner node. The
    standard tree's double-hashed leaf makes that impossible."""
    users = chain.users
    values = [(users[i % 5], (i + 1) * EMT) for i in range(4)]
    tree = settle(chain, values)
    left, right = sorted([tree.tree[3], tree.tree[4]])
    # The children, read as abi.encode(address, uint256): the address is the last 20 bytes of
    # the first word (the contract's ABI decoder would reject the 12 high bytes otherwise).
    account = chain.w3.to_checksum_address(left[12:])
    credit = int.from_bytes(right, "big")
    proof_of_inner = [tree.tree[2]]  # the sibling of node 1 = hash(3, 4)
    assert hash_pair(keccak(left + right) if left < right else keccak(right + left), tree.tree[2]) == tree.root
    reverts("EmethRollup: invalid proof", chain.send,
            chain.rollup.functions.claim(account, credit, 0, proof_of_inner), users[0])


def test_claim_with_ticket_pays_credit_minus_claimed(chain):
    u = chain.users[0]
    committed(chain, 20)
    before = chain.balance(u)
    sig = chain.ticket(u, 4 * EMT, 17)
    r = chain.send(chain.rollup.functions.claimWithTicket(u, 4 * EMT, 17, sig), chain.stranger)
    assert chain.balance(u) == before + 4 * EMT
    assert claimed_events(chain, r) == [{"account": u, "amount": 4 * EMT, "credit": 4 * EMT, "method": 2, "reference": 17}]
    # Replaying the same ticket pays nothing; a later, higher one pays the difference.
    reverts("EmethRollup: nothing to claim", chain.send,
            chain.rollup.functions.claimWithTicket(u, 4 * EMT, 17, sig), chain.stranger)
    chain.send(chain.rollup.functions.claimWithTicket(u, 6 * EMT, 20, chain.ticket(u, 6 * EMT, 20)), u)
    assert chain.balance(u) == before + 6 * EMT
    # An older, lower ticket pays nothing.
    reverts("EmethRollup: nothing to claim", chain.send, chain.rollup.functions.claimWithTicket(u, 5 * EMT, 19, chain.ticket(u, 5 * EMT, 19)), u)


def test_ticket_digest_and_domain_match_eth_account(chain):
    from eth_account.messages import encode_typed_data
    u = chain.users[0]
    sig = chain.ticket(u, 9, 3)
    digest = chain.rollup.functions.ticketDigest(u, 9, 3).call()
    assert Account._recover_hash(digest, signature=sig) == chain.signer.address
    domain = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"], [
        keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        keccak(b"EMETH L2"), keccak(b"1"), chain.w3.eth.chain_id, chain.rollup.address]))
    assert chain.rollup.functions.domainSeparator().call() == domain


def test_forged_or_foreign_tickets_revert(chain):
    u = chain.users[0]
    committed(chain, 2)
    f = chain.rollup.functions
    bad = "EmethRollup: invalid ticket signature"
    reverts(bad, chain.send, f.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, key="0x" + "77" * 32)), u)
    reverts(bad, chain.send, f.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, name="EMETH L3")), u)
    reverts(bad, chain.send, f.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, chain_id=1)), u)
    reverts(bad, chain.send, f.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, contract=chain.token.address)), u)
    # A ticket for one account, credit or block cannot be used for another.
    sig = chain.ticket(u, EMT, 1)
    reverts(bad, chain.send, f.claimWithTicket(chain.users[1], EMT, 1, sig), u)
    reverts(bad, chain.send, f.claimWithTicket(u, 2 * EMT, 1, sig), u)
    reverts(bad, chain.send, f.claimWithTicket(u, EMT, 2, sig), u)
    assert f.claimed(u).call() == 0


def test_high_s_and_malformed_signatures_revert(chain):
    u = chain.users[0]
    committed(chain, 1)
    f = chain.rollup.functions
    sig = bytes(chain.ticket(u, EMT, 1))
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    # The malleable twin (n - s, flipped v) is a valid ECDSA signature of the same digest.
    twin = r + (CURVE_N - s).to_bytes(32, "big") + bytes([55 - v])
    assert Account._recover_hash(f.ticketDigest(u, EMT, 1).call(), signature=sig) == chain.signer.address
    reverts("EmethRollup: high-s signature", chain.send, f.claimWithTicket(u, EMT, 1, twin), u)
    reverts("EmethRollup: signature v must be 27 or 28", chain.send, f.claimWithTicket(u, EMT, 1, r + sig[32:64] + bytes([v - 27])), u)
    reverts("EmethRollup: signature must be 65 bytes", chain.send, f.claimWithTicket(u, EMT, 1, sig[:64]), u)
    reverts("EmethRollup: invalid ticket signature", chain.send, f.claimWithTicket(u, EMT, 1, b"\x00" * 64 + b"\x1b"), u)
    chain.send(f.claimWithTicket(u, EMT, 1, sig), u)


def test_double_claim_across_both_paths(chain):
    u, w = chain.users[0], chain.users[1]
    tree = settle(chain, [(u, 3 * EMT), (w, 2 * EMT)], credit=8 * EMT)
    f = chain.rollup.functions
    # Ticket first, then the proof of the same credit: nothing left.
    chain.send(f.claimWithTicket(u, 3 * EMT, 1, chain.ticket(u, 3 * EMT, 1)), u)
    reverts("EmethRollup: nothing to claim", claim, chain, tree, 0)
    # Proof first, then a ticket of the same credit: nothing left; a higher one pays the rest.
    claim(chain, tree, 1)
    reverts("EmethRollup: nothing to claim", chain.send, f.claimWithTicket(w, 2 * EMT, 1, chain.ticket(w, 2 * EMT, 1)), w)
    before = chain.balance(w)
    chain.send(f.claimWithTicket(w, 5 * EMT, 1, chain.ticket(w, 5 * EMT, 1)), w)
    assert chain.balance(w) == before + 3 * EMT
    assert f.claimed(w).call() == 5 * EMT


def test_paused_claims_revert_on_both_paths(chain):
    u = chain.users[0]
    tree = settle(chain, [(u, 3 * EMT), (chain.users[1], 2 * EMT)])
    chain.send(chain.rollup.functions.pause(), chain.owner)
    reverts("EmethRollup: paused", claim, chain, tree, 0)
    reverts("EmethRollup: paused", chain.send, chain.rollup.functions.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1)), u)
    chain.send(chain.rollup.functions.unpause(), chain.owner)
    claim(chain, tree, 0)


def test_a_rotated_signer_invalidates_old_tickets(chain):
    u = chain.users[0]
    committed(chain, 1)
    new_key = "0x" + "42" * 32
    chain.change(chain.rollup.functions.setSigner(Account.from_key(new_key).address))
    reverts("EmethRollup: invalid ticket signature", chain.send,
            chain.rollup.functions.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1)), u)
    chain.send(chain.rollup.functions.claimWithTicket(u, EMT, 1, chain.ticket(u, EMT, 1, key=new_key)), u)


def test_leaf_construction_is_the_settlement_leaf_of_design_7():
    # The settlement leaf is keccak256(keccak256(abi.encode(address account, uint256 credit))).
    # The encoding is laid out by hand (12 zero bytes, the address, the credit as a 32-byte
    # word) and both hashes were computed once, outside this suite, then pinned here.
    account, credit = "0x" + "ab" * 20, 12345
    laid_out = bytes(12) + bytes.fromhex("ab" * 20) + (12345).to_bytes(32, "big")
    assert encode(["address", "uint256"], [account, credit]) == laid_out
    assert keccak(laid_out) == bytes.fromhex("2999973da4e41a0dbd6add6d12ed3d540f3191063d5f1c9607b71b5190c055d3")
    assert leaf_hash(["address", "uint256"], [account, credit]) == bytes.fromhex(
        "2268231b3ed6db291bdc0659f226cd4aa663b2447ba1f01e94db5f0c79fc1dc5")


def test_total_claimed_is_bounded_by_the_head_even_after_a_challenge(chain):
    """Tickets paid against a batch that is then challenged leave totalClaimed above the new
    head's credit: every payout waits until commits cover it again."""
    f = chain.rollup.functions
    u, w = chain.users[0], chain.users[1]
    chain.deposit(chain.users[4], 100 * EMT)
    chain.commit(0, 1, 1, credit=10 * EMT, cursor=1)
    chain.commit(1, 2, 2, credit=30 * EMT, cursor=1)
    chain.send(f.claimWithTicket(u, 25 * EMT, 2, chain.ticket(u, 25 * EMT, 2)), u)
    assert (f.totalClaimed().call(), f.ticketAvailable().call()) == (25 * EMT, 5 * EMT)
    chain.send(f.challenge(1), chain.guardian)
    assert (f.totalClaimed().call(), f.ticketAvailable().call()) == (25 * EMT, 0)
    reverts("EmethRollup: payout exceeds committed credit", chain.send,
            f.claimWithTicket(w, EMT, 1, chain.ticket(w, EMT, 1)), w)
    chain.commit(1, 2, 2, credit=26 * EMT, cursor=1)
    chain.send(f.claimWithTicket(w, EMT, 1, chain.ticket(w, EMT, 1)), w)
    reverts("EmethRollup: payout exceeds committed credit", chain.send,
            f.claimWithTicket(w, 2 * EMT, 2, chain.ticket(w, 2 * EMT, 2)), w)
    assert f.totalClaimed().call() == 26 * EMT
