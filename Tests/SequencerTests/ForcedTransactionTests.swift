import Core
import Testing
@testable import Sequencer

/// Transactions forced through the L1 inbox (kind 3): authenticated by the STF from their
/// bytes alone, executed in inbox order, and deterministic failures that change nothing
/// when the bytes or the nonce are wrong.
@Suite struct ForcedTransactionTests {
    static let chainId = UInt256(31337)
    static let rollup = try! Address("0x00000000000000000000000000000000000e7e70")
    static let domain = L2TypedData.domain(chainId: chainId, rollup: rollup)
    static let user = try! PrivateKey(hex: "0x" + String(repeating: "4b", count: 32))
    static let genesis = Genesis(chainId: chainId, rollup: rollup, signer: user.address, timestamp: 1_000, roles: Roles())

    let stf = StateTransition(genesis: genesis)
    let state = InMemoryState()

    static func signed(_ call: L2Call, nonce: UInt64, key: PrivateKey = user, domain: EIP712.Domain = domain) -> Bytes {
        let digest = domain.digest(structHash: L2TypedData.structHash(call, nonce: nonce))
        let sig = try! Secp256k1.sign(digest: digest, key: key).rsv
        return L2Envelope(call: call, nonce: nonce, signature: sig).encoded
    }

    /// Deposits 1 EMT for the user (message 0), then applies `messages` from index 1.
    func run(_ forced: [Bytes]) throws -> [FailureCode?] {
        var w = state.begin()
        try stf.apply(InboxMessage(index: 0, kind: .deposit, account: Self.user.address, amount: 1_000_000_000_000_000_000, l1Block: 1),
                      time: 1_000, to: &w)
        var out: [FailureCode?] = []
        for (k, bytes) in forced.enumerated() {
            out.append(try stf.apply(InboxMessage(index: UInt64(k + 1), kind: .forcedTransaction, account: Self.user.address,
                                                  l1Block: 2, data: bytes), time: 1_000, to: &w))
        }
        try stf.checkConservation(w, after: "forced transactions")
        state.commit(w)
        return out
    }

    @Test func aForcedWithdrawIsAppliedAsItsSenderSentIt() throws {
        let failures = try run([Self.signed(.withdraw(amount: 250), nonce: 0)])
        #expect(failures == [nil])
        let acc = try #require(state.account(Self.user.address))
        #expect(acc.credit == 250)
        #expect(acc.balance == UInt256(1_000_000_000_000_000_000) - 250)
        #expect(acc.nonce == 1)
        #expect(state.inboxCursor == 2)
    }

    @Test func aWrongNonceFailsAndChangesNothingButTheCursor() throws {
        let failures = try run([Self.signed(.withdraw(amount: 250), nonce: 1)])
        #expect(failures == [.forcedTxWrongNonce])
        let acc = try #require(state.account(Self.user.address))
        #expect(acc.nonce == 0 && acc.credit.isZero)
        #expect(state.inboxCursor == 2)
    }

    @Test func bytesThatDoNotDecodeOrVerifyFailAsInvalid() throws {
        var badV = Self.signed(.withdraw(amount: 250), nonce: 0)
        badV[badV.count - 1] = 29  // v must be 27 or 28
        let oversize = Self.signed(.withdraw(amount: 250), nonce: 0) + Bytes(repeating: 0, count: InboxMessage.maxForcedTransactionBytes)
        let failures = try run([[], [0xc0], Array("{\"type\":\"Withdraw\"}".utf8), oversize, badV])
        #expect(failures == Array(repeating: .forcedTxInvalid, count: 5))
        let acc = try #require(state.account(Self.user.address))
        #expect(acc.nonce == 0 && acc.credit.isZero)
        #expect(state.inboxCursor == 6)
    }

    /// A signature made for another chain's domain is a valid signature of some other key
    /// here: it is applied as that key's transaction (which owns nothing), never as the user's.
    @Test func aSignatureFromAnotherDomainIsAnotherSender() throws {
        let foreign = Self.signed(.withdraw(amount: 250), nonce: 0, domain: L2TypedData.domain(chainId: 1, rollup: Self.rollup))
        let stranger = try #require(stf.authenticateForced(foreign)).sender
        #expect(stranger != Self.user.address)
        #expect(try run([foreign]) == [.insufficientBalance])
        #expect(try #require(state.account(Self.user.address)).nonce == 0)
        #expect(state.account(stranger)?.nonce == 1)
    }

    @Test func aFailingCallSpendsTheNonceLikeAnyTransaction() throws {
        let failures = try run([Self.signed(.withdraw(amount: 0), nonce: 0)])
        #expect(failures == [.zeroAmount])
        #expect(try #require(state.account(Self.user.address)).nonce == 1)
    }

    @Test func withoutADomainNothingForcedIsValid() throws {
        let bare = StateTransition(params: ChainParams(), roles: Roles())
        var w = state.begin()
        let r = try bare.apply(InboxMessage(index: 0, kind: .forcedTransaction, account: Self.user.address, l1Block: 1,
                                            data: Self.signed(.withdraw(amount: 1), nonce: 0)), time: 1_000, to: &w)
        #expect(r == .forcedTxInvalid)
    }

    @Test func theBinaryFormRoundTripsThroughStorageAndBatches() throws {
        let bytes = Self.signed(.withdraw(amount: 7), nonce: 3)
        let m = InboxMessage(index: 4, kind: .forcedTransaction, account: Self.user.address, l1Block: 9, data: bytes)
        #expect(try BlockCodec.decodeInbox(BlockCodec.encode(m)) == m)
        let tx = try L2Envelope(encoded: bytes)
        #expect(tx.call == .withdraw(amount: 7) && tx.nonce == 3)
        // A deposit keeps its six-field encoding; a seventh field on it is corrupt.
        let d = InboxMessage(index: 1, kind: .deposit, account: Self.user.address, amount: 5, l1Block: 2)
        guard case .list(let f) = BlockCodec.encode(d) else { Issue.record("not a list"); return }
        #expect(f.count == 6)
        #expect(throws: BlockCodec.Error.self) { try BlockCodec.decodeInbox(.list(f + [.bytes([1])])) }
    }
}
