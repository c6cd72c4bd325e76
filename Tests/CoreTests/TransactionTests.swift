import Testing
@testable import Core

@Suite struct TransactionTests {
    static let n = try! UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    static let key46 = try! PrivateKey(bytes: Bytes(repeating: 0x46, count: 32))

    /// The example in EIP-155 itself: signing data, signing hash and signed raw.
    @Test func eip155Example() throws {
        let tx = LegacyTransaction(nonce: 9, gasPrice: UInt256(20_000_000_000), gasLimit: 21_000,
                                   to: try Address("0x3535353535353535353535353535353535353535"),
                                   value: UInt256(1_000_000_000_000_000_000), chainId: 1)
        #expect(RLP.encode(.list(tx.fields + [.uint(UInt64(1)), .bytes([]), .bytes([])])).hex
                == "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(tx.signingHash.hex == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = tx.signed(with: Self.key46)
        #expect(signed.raw.hex == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(signed.hash == Keccak.hash256(signed.raw))
        #expect(signed.sender() == Self.key46.address)
        let decoded = try SignedTransaction.decode(raw: signed.raw)
        #expect(decoded == signed)
        #expect(decoded.chainId == 1)
        #expect(decoded.signature.recoveryId == 0)  // v = 37 = 35 + 2·1 + 0
        #expect(decoded.from == Self.key46.address)
    }

    /// Random transactions against eth-account's `sign_transaction`, byte for byte, and
    /// eth-account's raw bytes decoded back into the same fields and sender.
    @Test func agreesWithEthAccount() throws {
        let cases = try PythonOracle.cases("tx_cases.py", ["--seed", "21", "--count", "300"])
        #expect(cases.count == 300)
        var kinds: [String: Int] = [:]
        for c in cases {
            let key = try PrivateKey(hex: try #require(c["key"] as? String))
            let fields = try #require(c["tx"] as? [String: Any])
            func u(_ k: String) throws -> UInt256 { try UInt256(decimal: try #require(fields[k] as? String)) }
            func u64(_ k: String) throws -> UInt64 { try #require(try u(k).uint64) }
            let to = try (fields["to"] as? String).map { try Address($0) }
            let data = try Hex.decode(try #require(fields["data"] as? String))
            let kind = try #require(c["kind"] as? String)
            kinds[kind, default: 0] += 1
            let signed: SignedTransaction
            switch kind {
            case "eip1559":
                let access = try ((fields["accessList"] as? [[String: Any]]) ?? []).map { e in
                    EIP1559Transaction.AccessListEntry(
                        address: try Address(try #require(e["address"] as? String)),
                        storageKeys: try (try #require(e["storageKeys"] as? [String])).map { try Hex.decode($0) })
                }
                signed = EIP1559Transaction(chainId: try u("chainId"), nonce: try u64("nonce"),
                                            maxPriorityFeePerGas: try u("maxPriorityFeePerGas"), maxFeePerGas: try u("maxFeePerGas"),
                                            gasLimit: try u64("gas"), to: to, value: try u("value"), data: data,
                                            accessList: access).signed(with: key)
            default:
                signed = LegacyTransaction(nonce: try u64("nonce"), gasPrice: try u("gasPrice"), gasLimit: try u64("gas"), to: to,
                                           value: try u("value"), data: data,
                                           chainId: try (fields["chainId"] as? String).map { try UInt256(decimal: $0) })
                    .signed(with: key)
            }
            let raw = try #require(c["raw"] as? String)
            #expect(signed.raw.hex == raw, "\(kind)")
            #expect(signed.hash.hex == c["hash"] as? String)
            #expect(signed.signature.r == (try UInt256(decimal: try #require(c["r"] as? String))).bigEndianBytes)
            #expect(signed.signature.s == (try UInt256(decimal: try #require(c["s"] as? String))).bigEndianBytes)
            let decoded = try SignedTransaction.decode(raw: try Hex.decode(raw))
            #expect(decoded == signed)
            #expect(decoded.sender().checksummed == c["sender"] as? String)
            #expect(decoded.to == to)
            #expect(decoded.value == (try u("value")))
            #expect(decoded.nonce == (try u64("nonce")))
            if kind == "legacy" { #expect(decoded.chainId == nil) }
            // The legacy v: 27/28, or 35 + 2·chainId + parity.
            if case .legacy(let t) = decoded.kind {
                let v = LegacyTransaction.v(recoveryId: decoded.signature.recoveryId, chainId: t.chainId)
                #expect(v.description == c["v"] as? String)
            }
        }
        #expect(kinds == ["eip1559": 100, "eip155": 100, "legacy": 100])
    }

    @Test func contractCreationAndAccessListRoundTrip() throws {
        let tx = EIP1559Transaction(chainId: 31337, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 1_000_000, to: nil,
                                    data: Bytes(repeating: 0x60, count: 100),
                                    accessList: [.init(address: Self.key46.address, storageKeys: [Bytes(repeating: 1, count: 32)]),
                                                 .init(address: .zero, storageKeys: [])])
        let signed = tx.signed(with: Self.key46)
        #expect(signed.raw.first == 0x02)
        let decoded = try SignedTransaction.decode(raw: signed.raw)
        #expect(decoded == signed)
        #expect(decoded.to == nil)
        guard case .eip1559(let back) = decoded.kind else { Issue.record("wrong kind"); return }
        #expect(back == tx)
    }

    // MARK: Rejections

    /// A type-2 transaction re-encoded with chosen trailing fields.
    static func type2(_ tx: EIP1559Transaction, _ tail: [RLPItem]) -> Bytes { EIP1559Transaction.envelope(tx.fields + tail) }

    static let sample = EIP1559Transaction(chainId: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 21_000,
                                           to: key46.address)

    @Test func decodeErrorsNameTheProblem() throws {
        typealias E = SignedTransaction.DecodeError
        #expect(throws: E.empty) { try SignedTransaction.decode(raw: []) }
        #expect(throws: E.unsupportedType(0x01)) { try SignedTransaction.decode(raw: [0x01, 0xc0]) }
        #expect(throws: E.unsupportedType(0x03)) { try SignedTransaction.decode(raw: [0x03, 0xc0]) }
        #expect(throws: E.unsupportedType(0x7f)) { try SignedTransaction.decode(raw: [0x7f]) }
        #expect(throws: E.invalidLeadingByte(0x80)) { try SignedTransaction.decode(raw: [0x80]) }
        #expect(throws: E.invalidLeadingByte(0xb8)) { try SignedTransaction.decode(raw: [0xb8, 0x38]) }
        #expect(throws: E.wrongFieldCount("type-2 transaction", expected: 12, actual: 0)) { try SignedTransaction.decode(raw: [0x02, 0xc0]) }
        #expect(throws: E.wrongFieldCount("legacy transaction", expected: 9, actual: 1)) { try SignedTransaction.decode(raw: [0xc1, 0x80]) }
        #expect(throws: E.rlp(.trailingBytes(offset: 1))) { try SignedTransaction.decode(raw: [0x02, 0xc0, 0x00]) }
        #expect(throws: E.rlp(.expectedList("type-2 transaction"))) { try SignedTransaction.decode(raw: [0x02, 0x80]) }
        #expect(throws: E.rlp(.truncated(offset: 0))) { try SignedTransaction.decode(raw: [0x02]) }

        let s = Self.sample.signed(with: Self.key46)
        let r = s.signature.r, sv = s.signature.s, p = UInt64(s.signature.recoveryId)
        // Too many fields.
        #expect(throws: E.wrongFieldCount("type-2 transaction", expected: 12, actual: 13)) {
            try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(p), .bytes(r), .bytes(sv), .bytes([])]))
        }
        // Non-canonical integers: a leading zero in the nonce.
        var fields = Self.sample.fields
        fields[1] = .bytes([0x00, 0x01])
        #expect(throws: E.rlp(.leadingZeros("nonce"))) {
            try SignedTransaction.decode(raw: EIP1559Transaction.envelope(fields + [.uint(p), .bytes(r), .bytes(sv)]))
        }
        fields = Self.sample.fields
        fields[5] = .bytes(Bytes(repeating: 1, count: 19))
        #expect(throws: E.rlp(.invalidAddressLength("to", 19))) {
            try SignedTransaction.decode(raw: EIP1559Transaction.envelope(fields + [.uint(p), .bytes(r), .bytes(sv)]))
        }
        fields = Self.sample.fields
        fields[8] = .list([.list([.bytes(Self.key46.address.bytes), .list([.bytes([1, 2])])])])
        #expect(throws: E.invalidStorageKeyLength(2)) {
            try SignedTransaction.decode(raw: EIP1559Transaction.envelope(fields + [.uint(p), .bytes(r), .bytes(sv)]))
        }
        fields[8] = .list([.list([.bytes(Self.key46.address.bytes)])])
        #expect(throws: E.wrongFieldCount("access list entry", expected: 2, actual: 1)) {
            try SignedTransaction.decode(raw: EIP1559Transaction.envelope(fields + [.uint(p), .bytes(r), .bytes(sv)]))
        }
        // yParity must be 0 or 1.
        #expect(throws: E.invalidYParity(2)) { try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(UInt64(2)), .bytes(r), .bytes(sv)])) }
        #expect(throws: E.invalidYParity(27)) { try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(UInt64(27)), .bytes(r), .bytes(sv)])) }
        // Zero and out-of-range r, s.
        #expect(throws: E.signature(.invalidR)) { try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(p), .bytes([]), .bytes(sv)])) }
        #expect(throws: E.signature(.invalidS)) { try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(p), .bytes(r), .uint(Self.n)])) }
        #expect(throws: E.rlp(.integerTooLarge("r", bits: 256))) {
            try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(p), .bytes([1] + r), .bytes(sv)]))
        }
        // The untouched signature decodes.
        #expect(try SignedTransaction.decode(raw: Self.type2(Self.sample, [.uint(p), .bytes(r), .bytes(sv)])) == s)
    }

    /// The malleable twin (s → n − s, parity flipped) of a valid transaction never decodes,
    /// so a relayer cannot change a transaction's hash (EIP-2).
    @Test func highSIsRejected() throws {
        let s = Self.sample.signed(with: Self.key46)
        let high = Self.n - (try UInt256(bigEndian: s.signature.s))
        let twin = Self.type2(Self.sample, [.uint(UInt64(1 - s.signature.recoveryId)), .bytes(s.signature.r), .uint(high)])
        #expect(throws: SignedTransaction.DecodeError.signature(.highS)) { try SignedTransaction.decode(raw: twin) }

        let legacy = LegacyTransaction(nonce: 1, gasPrice: 5, gasLimit: 21_000, to: Self.key46.address, chainId: 1).signed(with: Self.key46)
        guard case .legacy(let t) = legacy.kind else { Issue.record("wrong kind"); return }
        let flippedV = LegacyTransaction.v(recoveryId: 1 - legacy.signature.recoveryId, chainId: 1)
        let twinLegacy = RLP.encode(.list(t.fields + [.uint(flippedV), .bytes(legacy.signature.r),
                                                       .uint(Self.n - (try UInt256(bigEndian: legacy.signature.s)))]))
        #expect(throws: SignedTransaction.DecodeError.signature(.highS)) { try SignedTransaction.decode(raw: twinLegacy) }
    }

    @Test func legacyVIsChecked() throws {
        let legacy = LegacyTransaction(nonce: 1, gasPrice: 5, gasLimit: 21_000, to: nil, chainId: nil).signed(with: Self.key46)
        guard case .legacy(let t) = legacy.kind else { Issue.record("wrong kind"); return }
        #expect(try SignedTransaction.decode(raw: legacy.raw) == legacy)
        #expect(legacy.chainId == nil)
        for v: UInt64 in [0, 1, 26, 29, 30, 34] {
            let raw = RLP.encode(.list(t.fields + [.uint(v), .bytes(legacy.signature.r), .bytes(legacy.signature.s)]))
            #expect(throws: SignedTransaction.DecodeError.invalidV(UInt256(v))) { try SignedTransaction.decode(raw: raw) }
        }
        // A huge EIP-155 chain id decodes (the caller checks it against its chain).
        let big = LegacyTransaction(nonce: 1, gasPrice: 5, gasLimit: 21_000, to: nil, chainId: UInt256.max >> 2).signed(with: Self.key46)
        #expect(try SignedTransaction.decode(raw: big.raw).chainId == UInt256.max >> 2)
    }

    /// Mutated transactions never crash the decoder; anything accepted is canonical and
    /// recovers a sender.
    @Test func decoderSurvivesGarbage() {
        var (rng, seed) = TestSeed.generator(0x7a_0189)
        let seeds = [Self.sample.signed(with: Self.key46).raw,
                     LegacyTransaction(nonce: 3, gasPrice: 7, gasLimit: 21_000, to: nil, data: [1, 2, 3], chainId: 5).signed(with: Self.key46).raw]
        for i in 0..<4_000 {
            var b = seeds[i % 2]
            for _ in 0..<Int.random(in: 1...3, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng))) }
            if let tx = try? SignedTransaction.decode(raw: b) { #expect(tx.raw == b, "seed \(seed), input \(i): \(b.hex)") }
        }
    }
}
