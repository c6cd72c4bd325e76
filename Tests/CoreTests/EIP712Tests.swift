import Foundation
import Testing
@testable import Core

@Suite struct EIP712Tests {
    /// The example of the EIP-712 specification (eips.ethereum.org/EIPS/eip-712, Example.js).
    static let mail = """
    {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},
      {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
     "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
     "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
     "primaryType":"Mail",
     "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
     "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
    """

    /// A uint256 as the oracle writes it: JSON number, decimal string or 0x-hex string.
    static func uint(_ v: JSONValue) throws -> UInt256 {
        if case .number(let n) = v { return try UInt256(decimal: n) }
        return try UInt256(parsing: v.stringValue!)
    }

    @Test func specificationMailExample() throws {
        let td = try TypedData.parse(Self.mail)
        #expect(try td.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(try td.typeHash("Mail").hex == "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(try td.domainSeparator().hex == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(try td.messageHash().hex == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(try td.digest().hex == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")

        let cow = try PrivateKey(bytes: Keccak.hash256("cow"))
        #expect(cow.address.checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        let sig = try td.sign(with: cow)
        #expect(sig.recoveryId + 27 == 28)
        #expect(sig.r.hex == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(sig.s.hex == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
        #expect(try td.recoverSigner(sig) == cow.address)
        #expect(try td.recoverSigner(rsv: sig.rsv) == cow.address)
    }

    /// The same example through the typed fast path: Domain with its cached separator and
    /// StructHasher, never touching JSON.
    @Test func fastPathReproducesTheMailExample() throws {
        let domain = EIP712.Domain(name: "Ether Mail", version: "1", chainId: 1,
                                   verifyingContract: try Address("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"))
        #expect(domain.separator.hex == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        func person(_ name: String, _ wallet: String) throws -> Bytes {
            var h = EIP712.StructHasher(typeHash: EIP712.typeHash("Person(string name,address wallet)"), fields: 2)
            h.append(string: name)
            h.append(address: try Address(wallet))
            return h.finalize()
        }
        var mail = EIP712.StructHasher(typeHash: EIP712.typeHash(
            "Mail(Person from,Person to,string contents)Person(string name,address wallet)"), fields: 3)
        mail.append(word: try person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
        mail.append(word: try person("Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"))
        mail.append(string: "Hello, Bob!")
        let structHash = mail.finalize()
        #expect(structHash.hex == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(domain.digest(structHash: structHash).hex == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        #expect(EIP712.digest(domainSeparator: domain.separator, structHash: structHash).hex
                == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        // The domain's JSON form hashes to the same separator through the dynamic model.
        let td = try TypedData(types: [EIP712Type(name: "Person", members: [.init(name: "name", type: "string")])],
                               primaryType: "Person", domain: domain.json, message: .object(["name": .string("x")]))
        #expect(try td.domainSeparator() == domain.separator)
    }

    /// Random schemas (nested structs, arrays of every kind, all atomic types) against
    /// eth-account's encode_typed_data / hash_domain / hash_eip712_message / sign_typed_data.
    @Test func randomSchemasAgreeWithEthAccount() throws {
        let cases = try PythonOracle.cases("eip712_cases.py", ["--seed", "7", "--count", "240"])
        #expect(cases.count == 240)
        for c in cases {
            let text = try #require(c["typedData"] as? String)
            let td = try TypedData.parse(text)
            let primary = c["primaryType"] as! String
            #expect(td.primaryType == primary)
            for (name, encoded) in c["encodeTypes"] as! [String: String] {
                #expect(try td.encodeType(name) == encoded)
                #expect(try td.typeHash(name) == Keccak.hash256(encoded))
            }
            #expect(try td.domainSeparator().hex == c["domainSeparator"] as! String, "\(text)")
            #expect(try td.messageHash().hex == c["messageHash"] as! String, "\(text)")
            #expect(try td.digest().hex == c["digest"] as! String)
            let key = try PrivateKey(hex: c["privateKey"] as! String)
            let sig = try td.sign(with: key)
            #expect(sig.rsv.hex == c["signature"] as! String)
            #expect(try td.recoverSigner(sig).checksummed == c["signer"] as! String)
        }
    }

    /// The pinned L2 transaction types (docs/PROTOCOL.md §2) and the Ticket (§7): eth-account, the JSON
    /// model, and the StructHasher fast path all agree.
    @Test func l2TypesAgreeWithEthAccountOnBothPaths() throws {
        let cases = try PythonOracle.cases("eip712_cases.py", ["--seed", "11", "--count", "96", "--suite", "l2"])
        #expect(cases.count == 96)
        var kinds = Set<String>()
        for c in cases {
            let td = try TypedData.parse(c["typedData"] as! String)
            kinds.insert(td.primaryType)
            #expect(try td.messageHash().hex == c["messageHash"] as! String)
            #expect(try td.digest().hex == c["digest"] as! String)
            let key = try PrivateKey(hex: c["privateKey"] as! String)
            #expect(try td.sign(with: key).rsv.hex == c["signature"] as! String)

            // Fast path: a Domain from the document's fields, a StructHasher over its members.
            let d = td.domain
            let domain = EIP712.Domain.emethL2(chainId: try Self.uint(d["chainId"]!),
                                               verifyingContract: try Address(d["verifyingContract"]!.stringValue!))
            #expect(domain.separator.hex == c["domainSeparator"] as! String)
            var h = EIP712.StructHasher(typeHash: try td.typeHash(td.primaryType))
            for m in td.types[td.primaryType]!.members {
                let v = td.message[m.name]!
                switch m.type {
                case "uint256": h.append(uint: try Self.uint(v))
                case "address": h.append(address: try Address(v.stringValue!))
                case "bytes16", "bytes32": h.append(fixedBytes: try Hex.decode(v.stringValue!))
                case "bytes16[]", "bytes32[]": h.append(fixedBytesArray: try v.arrayValue!.map { try Hex.decode($0.stringValue!) })
                case "uint256[]": h.append(uints: try v.arrayValue!.map(Self.uint))
                default: Issue.record("unexpected member type \(m.type)")
                }
            }
            let structHash = h.finalize()
            #expect(structHash.hex == c["messageHash"] as! String, "\(td.primaryType)")
            #expect(domain.digest(structHash: structHash).hex == c["digest"] as! String)
            if td.primaryType == "Ticket" {
                let m = td.message
                guard let block = try Self.uint(m["blockNumber"]!).uint64 else { continue }
                let account = try Address(m["account"]!.stringValue!)
                let credit = try Self.uint(m["credit"]!)
                #expect(EIP712.Ticket.structHash(account: account, credit: credit, blockNumber: block).hex == c["messageHash"] as! String)
                #expect(EIP712.Ticket.digest(domain: domain, account: account, credit: credit, blockNumber: block).hex
                        == c["digest"] as! String)
            }
        }
        #expect(kinds.count == 12)
    }

    @Test func ticketTypeHashIsPinned() {
        #expect(EIP712.Ticket.typeHash == Keccak.hash256("Ticket(address account,uint256 credit,uint256 blockNumber)"))
        #expect(EIP712.Domain.typeHash.hex == "0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
    }

    // MARK: - Values and errors

    /// A one-member document `{"v": <value>}` of type `t`.
    static func single(_ t: String, _ value: String) -> String {
        #"{"types":{"T":[{"name":"v","type":"\#(t)"}]},"primaryType":"T","domain":{},"message":{"v":\#(value)}}"#
    }

    /// The word a single atomic member encodes to (encodeData minus the typeHash).
    static func word(_ t: String, _ value: String) throws -> Bytes {
        Array(try TypedData.parse(single(t, value)).encodeData("T", try JSONValue.parse(#"{"v":\#(value)}"#)).dropFirst(32))
    }

    static func failure(_ text: String) -> EIP712Error? {
        do { _ = try TypedData.parse(text).digest(); return nil } catch { return error }
    }

    @Test func integersAreRangeCheckedAndSignExtended() throws {
        let ff = String(repeating: "ff", count: 31)
        #expect(try Self.word("uint8", "255").hex == "0x" + String(repeating: "00", count: 31) + "ff")
        #expect(try Self.word("uint8", "\"0xff\"") == Self.word("uint8", "\"255\""))
        #expect(try Self.word("int8", "-128").hex == "0x" + ff + "80")
        #expect(try Self.word("int8", "\"-1\"").hex == "0x" + ff + "ff")
        #expect(try Self.word("int256", "\"-57896044618658097711785492504343953926634992332820282019728792003956564819968\"").hex
                == "0x80" + String(repeating: "00", count: 31))
        #expect(try Self.word("uint256", "115792089237316195423570985008687907853269984665640564039457584007913129639935").hex
                == "0x" + String(repeating: "ff", count: 32))
        #expect(try Self.word("uint256", "\"-0\"") == Bytes(repeating: 0, count: 32))

        #expect(Self.failure(Self.single("uint8", "256"))?.description == "message.v: 256 is out of range for uint8")
        #expect(Self.failure(Self.single("int8", "128"))?.reason == .integerOutOfRange(value: "128", type: "int8"))
        #expect(Self.failure(Self.single("int8", "-129"))?.reason == .integerOutOfRange(value: "-129", type: "int8"))
        #expect(Self.failure(Self.single("uint16", "\"-1\""))?.reason == .integerOutOfRange(value: "-1", type: "uint16"))
        #expect(Self.failure(Self.single("uint256", "1157920892373161954235709850086879078532699846656405640394575840079131296399350"))?.reason
                == .integerOutOfRange(value: "1157920892373161954235709850086879078532699846656405640394575840079131296399350", type: "uint256"))
        #expect(Self.failure(Self.single("int16", "\"-0x5\""))?.reason == .notAnInteger("-0x5"))
        #expect(Self.failure(Self.single("uint32", "1.5"))?.reason == .notAnInteger("1.5"))
        #expect(Self.failure(Self.single("uint32", "1e3"))?.reason == .notAnInteger("1e3"))
        #expect(Self.failure(Self.single("uint32", "\"12a\""))?.reason == .notAnInteger("12a"))
        #expect(Self.failure(Self.single("uint32", "true"))?.reason == .notAnInteger("true"))
    }

    @Test func atomicValuesAreValidated() throws {
        #expect(try Self.word("bool", "true").last == 1)
        #expect(try Self.word("bytes4", "\"0xdeadbeef\"").hex == "0xdeadbeef" + String(repeating: "00", count: 28))
        #expect(try Self.word("bytes", "\"0x\"").hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(try Self.word("string", "\"\"") == Keccak.hash256(Bytes()))
        #expect(try Self.word("string", "\"\\u00e9\"") == Keccak.hash256("é"))
        #expect(try Self.word("uint8[]", "[]") == Keccak.hash256(Bytes()))

        #expect(Self.failure(Self.single("bool", "1"))?.reason == .notABool)
        #expect(Self.failure(Self.single("bytes4", "\"0xdead\""))?.reason == .wrongByteCount(expected: 4, actual: 2))
        #expect(Self.failure(Self.single("bytes", "\"dead\""))?.reason == .notHexBytes("hex string must start with 0x"))
        #expect(Self.failure(Self.single("string", "5"))?.reason == .expectedString)
        #expect(Self.failure(Self.single("uint8[2]", "[1]"))?.description == "message.v: fixed-size array needs 2 elements, got 1")
        #expect(Self.failure(Self.single("uint8[]", "[1,\"x\"]"))?.path == "message.v[1]")
        #expect(Self.failure(Self.single("uint8[]", "{}"))?.reason == .expectedArray)
        #expect(Self.failure(Self.single("address", "\"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827\""))?.reason
                == .notAnAddress("invalid address: EIP-55 checksum mismatch in 0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827"))
        #expect(try Self.word("address", "\"0xcd2a3d9f938e13cd947ec05abc7fe734df8dd827\"").hex
                == "0x000000000000000000000000cd2a3d9f938e13cd947ec05abc7fe734df8dd827")
    }

    @Test func errorsNameThePathOfTheProblem() throws {
        // A wallet that is not an address, deep inside the message.
        let badWallet = Self.mail.replacingOccurrences(of: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", with: "0x1234")
        let e = try #require(Self.failure(badWallet))
        #expect(e.path == "message.to.wallet")
        #expect(e.description == "message.to.wallet: not an address (invalid address: expected 20 bytes, got 2)")
        // Checksum typo.
        let typo = Self.mail.replacingOccurrences(of: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB", with: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbb")
        #expect(Self.failure(typo)?.description.hasPrefix("message.to.wallet: not an address (invalid address: EIP-55 checksum mismatch") == true)
        // Missing and unknown fields.
        let missing = Self.mail.replacingOccurrences(of: #","contents":"Hello, Bob!""#, with: "")
        #expect(Self.failure(missing)?.description == #"message: missing field "contents""#)
        let extra = Self.mail.replacingOccurrences(of: #""name":"Bob","#, with: #""name":"Bob","age":3,"#)
        #expect(Self.failure(extra)?.description == #"message.to.age: unknown field "age" (not a member of the type)"#)
        // Schema problems.
        let undefined = Self.mail.replacingOccurrences(of: #"{"name":"to","type":"Person"}"#, with: #"{"name":"to","type":"Persn"}"#)
        #expect(Self.failure(undefined)?.description == #"types.Mail.to: type "Persn" is not defined in types"#)
        let badType = Self.mail.replacingOccurrences(of: #""type":"Person"}"#, with: #""type":"Person[0]"}"#)
        #expect(Self.failure(badType)?.reason == .invalidTypeString("Person[0]"))
        let injected = Self.mail.replacingOccurrences(of: #"{"name":"contents","#, with: #"{"name":"contents,string x","#)
        #expect(Self.failure(injected)?.reason == .invalidMemberName("contents,string x"))
        #expect(Self.failure(injected)?.path == "types.Mail[2]")
        let dup = Self.mail.replacingOccurrences(of: #"{"name":"contents","#, with: #"{"name":"to","#)
        #expect(Self.failure(dup)?.description == #"types.Mail.to: member "to" is declared twice"#)
        #expect(Self.failure(Self.mail.replacingOccurrences(of: #""primaryType":"Mail""#, with: #""primaryType":"Letter""#))?.description
                == #"primaryType: type "Letter" is not defined in types"#)
        #expect(Self.failure(#"{"types":{"uint8":[]},"primaryType":"uint8","domain":{},"message":{}}"#)?.reason
                == .atomicTypeRedefined("uint8"))
        let deep = "uint8" + String(repeating: "[]", count: 17)
        #expect(Self.failure(Self.single(deep, "[]"))?.description == "types.T.v: invalid type \"\(deep)\"")
        #expect(Self.failure(Self.single("uint7", "1"))?.description == "types.T.v: invalid type \"uint7\"")
        #expect(Self.failure(Self.single("bytes33", "1"))?.reason == .invalidTypeString("bytes33"))
        #expect(Self.failure(Self.single("uint08", "1"))?.reason == .invalidTypeString("uint08"))
        #expect(Self.failure(Self.single("uint8[01]", "1"))?.reason == .invalidTypeString("uint8[01]"))
        #expect(Self.failure(Self.single("Foo", "1"))?.reason == .undefinedType("Foo"))
        // Domain problems.
        let badChain = Self.mail.replacingOccurrences(of: #""chainId":1"#, with: #""chainId":"one""#)
        #expect(Self.failure(badChain)?.description == "domain.chainId: not an integer: one")
        #expect(Self.failure(Self.single("bool", "true").replacingOccurrences(of: #""domain":{}"#, with: #""domain":{"owner":"x"}"#))?
            .description == #"domain.owner: unknown EIP712Domain field "owner" (allowed: name, version, chainId, verifyingContract, salt)"#)
        // Malformed documents.
        #expect(Self.failure("[]")?.description == "$: expected a JSON object")
        #expect(Self.failure("{")?.reason == .invalidJSON("invalid JSON at byte 1: expected a string key"))
        #expect(Self.failure(#"{"types":{},"primaryType":"T","domain":{}}"#)?.description == #"$: missing field "message""#)
        #expect(Self.failure(#"{"types":{"T":[{"name":"a"}]},"primaryType":"T","domain":{},"message":{}}"#)?.description
                == #"types.T[0]: missing field "type""#)
    }

    /// Without an EIP712Domain declaration the domain type is derived from the fields present,
    /// in canonical order; recursive struct types are allowed (through arrays).
    @Test func derivedDomainAndRecursiveTypes() throws {
        let declared = try TypedData.parse(Self.mail)
        guard case .object(var doc) = try JSONValue.parse(Self.mail), case .object(var types) = doc["types"]! else {
            Issue.record("mail example is not an object"); return
        }
        types["EIP712Domain"] = nil
        doc["types"] = .object(types)
        let derived = try TypedData(json: .object(doc))
        #expect(derived.types["EIP712Domain"] == declared.types["EIP712Domain"])
        #expect(try derived.digest() == declared.digest())

        let tree = #"{"types":{"Node":[{"name":"value","type":"uint8"},{"name":"children","type":"Node[]"}]},"primaryType":"Node","domain":{"name":"t"},"message":{"value":1,"children":[{"value":2,"children":[]}]}}"#
        let td = try TypedData.parse(tree)
        #expect(try td.encodeType("Node") == "Node(uint8 value,Node[] children)")
        var leaf = EIP712.StructHasher(typeHash: try td.typeHash("Node"), fields: 2)
        leaf.append(uint: 2 as UInt64)
        leaf.append(words: [])
        var root = EIP712.StructHasher(typeHash: try td.typeHash("Node"), fields: 2)
        root.append(uint: 1 as UInt64)
        root.append(words: [leaf.finalize()])
        #expect(try td.messageHash() == root.finalize())
    }

    /// Hostile input never crashes the parser: every truncation and single-byte corruption of
    /// the example either parses or fails with a typed error.
    @Test func mangledDocumentsFailCleanly() {
        let bytes = Array(Self.mail.utf8)
        var refused = 0
        for cut in 0..<bytes.count where Self.failure(String(decoding: bytes[..<cut], as: UTF8.self)) != nil { refused += 1 }
        #expect(refused == bytes.count)
        // A crash here names no seed: rerun with EMETH_TEST_SEED to vary or replay the inputs.
        var (rng, _) = TestSeed.generator(0xe1_0288)
        for _ in 0..<2_000 {
            var b = bytes
            b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            _ = Self.failure(String(decoding: b, as: UTF8.self))
        }
    }
}
