import Testing
@testable import Core

/// Hex written as the specification prints it: words on separate lines, spaces ignored.
func abiHex(_ text: String) -> Bytes {
    try! Hex.decode(String(text.filter { !$0.isWhitespace }))
}

func abiWord(_ v: UInt64) -> Bytes { UInt256(v).bigEndianBytes }

/// The worked examples of the Solidity "Contract ABI Specification"
/// (docs.soliditylang.org/en/latest/abi-spec.html#examples and "Use of Dynamic Types"),
/// byte for byte, both ways.
@Suite struct ABISpecificationTests {
    @Test func bazUint32Bool() throws {
        let f = try ABIFunction(signature: "baz(uint32,bool)")
        let expected = abiHex("""
            0xcdcd77c0
            0000000000000000000000000000000000000000000000000000000000000045
            0000000000000000000000000000000000000000000000000000000000000001
            """)
        #expect(f.selector.hex == "0xcdcd77c0")
        #expect(try f.encodeCall([.uint(69), .bool(true)]) == expected)
        #expect(try f.decodeCall(expected) == [.uint(69), .bool(true)])
    }

    @Test func barBytes3Pair() throws {
        let f = try ABIFunction(signature: "bar(bytes3[2])")
        let expected = abiHex("""
            0xfce353f6
            6162630000000000000000000000000000000000000000000000000000000000
            6465660000000000000000000000000000000000000000000000000000000000
            """)
        let value = ABIValue.array([.fixedBytes(Array("abc".utf8)), .fixedBytes(Array("def".utf8))])
        #expect(f.selector.hex == "0xfce353f6")
        #expect(try f.encodeCall([value]) == expected)
        #expect(try f.decodeCall(expected) == [value])
        #expect(try f.encodeCall(arguments: ["[0x616263, 0x646566]"]) == expected)
    }

    @Test func samBytesBoolUintArray() throws {
        // The spec writes `uint[]`; the selector hashes the canonical `uint256[]`.
        let f = try ABIFunction(signature: "sam(bytes,bool,uint[])")
        #expect(f.signature == "sam(bytes,bool,uint256[])")
        let expected = abiHex("""
            0xa5643bf2
            0000000000000000000000000000000000000000000000000000000000000060
            0000000000000000000000000000000000000000000000000000000000000001
            00000000000000000000000000000000000000000000000000000000000000a0
            0000000000000000000000000000000000000000000000000000000000000004
            6461766500000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000003
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000003
            """)
        let values: [ABIValue] = [.bytes(Array("dave".utf8)), .bool(true), .array([.uint(1), .uint(2), .uint(3)])]
        #expect(f.selector.hex == "0xa5643bf2")
        #expect(expected.count == 292)
        #expect(try f.encodeCall(values) == expected)
        #expect(try f.decodeCall(expected) == values)
        #expect(try f.encodeCall(arguments: ["0x64617665", "true", "[1,2,3]"]) == expected)
    }

    @Test func fWithDynamicTypes() throws {
        let f = try ABIFunction(signature: "f(uint,uint32[],bytes10,bytes)")
        let expected = abiHex("""
            0x8be65246
            0000000000000000000000000000000000000000000000000000000000000123
            0000000000000000000000000000000000000000000000000000000000000080
            3132333435363738393000000000000000000000000000000000000000000000
            00000000000000000000000000000000000000000000000000000000000000e0
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000456
            0000000000000000000000000000000000000000000000000000000000000789
            000000000000000000000000000000000000000000000000000000000000000d
            48656c6c6f2c20776f726c642100000000000000000000000000000000000000
            """)
        let values: [ABIValue] = [
            .uint(0x123), .array([.uint(0x456), .uint(0x789)]),
            .fixedBytes(Array("1234567890".utf8)), .bytes(Array("Hello, world!".utf8)),
        ]
        #expect(f.selector.hex == "0x8be65246")
        #expect(try f.encodeCall(values) == expected)
        #expect(try f.decodeCall(expected) == values)
        #expect(try f.encodeCall(arguments: ["0x123", "[0x456, 0x789]", "0x31323334353637383930",
                                             "0x48656c6c6f2c20776f726c6421"]) == expected)
    }

    @Test func gNestedArraysAndStrings() throws {
        let f = try ABIFunction(signature: "g(uint[][],string[])")
        let expected = abiHex("""
            0x2289b18c
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000140
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000040
            00000000000000000000000000000000000000000000000000000000000000a0
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000002
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000003
            0000000000000000000000000000000000000000000000000000000000000003
            0000000000000000000000000000000000000000000000000000000000000060
            00000000000000000000000000000000000000000000000000000000000000a0
            00000000000000000000000000000000000000000000000000000000000000e0
            0000000000000000000000000000000000000000000000000000000000000003
            6f6e650000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000003
            74776f0000000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000005
            7468726565000000000000000000000000000000000000000000000000000000
            """)
        let values: [ABIValue] = [
            .array([.array([.uint(1), .uint(2)]), .array([.uint(3)])]),
            .array([.string("one"), .string("two"), .string("three")]),
        ]
        #expect(f.selector.hex == "0x2289b18c")
        #expect(try f.encodeCall(values) == expected)
        #expect(try f.decodeCall(expected) == values)
        #expect(try f.encodeCall(arguments: ["[[1, 2], [3]]", "[one, \"two\", three]"]) == expected)
    }

    @Test func wellKnownSelectorsAndTopics() throws {
        #expect(try ABIFunction(signature: "transfer(address,uint256)").selector.hex == "0xa9059cbb")
        #expect(try ABIFunction(signature: "function balanceOf(address owner) external view returns (uint256)")
            .selector.hex == "0x70a08231")
        #expect(try ABIFunction(signature: "approve(address,uint256)").selector.hex == "0x095ea7b3")
        #expect(try ABIEvent(signature: "Transfer(address,address,uint256)").topic0.hex
            == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        #expect(try ABIEvent(signature: "event Approval(address indexed owner, address indexed spender, uint256 value)")
            .topic0.hex == "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925")
        #expect(ABIErrorDefinition.errorString.selector.hex == "0x08c379a0")
        #expect(ABIErrorDefinition.panic.selector.hex == "0x4e487b71")
    }
}

@Suite struct ABITypeTests {
    @Test func parsesCanonicalTypes() throws {
        let cases: [(String, ABIType, String)] = [
            ("uint256", .uint(256), "uint256"),
            ("uint", .uint(256), "uint256"),
            ("int", .int(256), "int256"),
            ("int8", .int(8), "int8"),
            ("bytes32", .fixedBytes(32), "bytes32"),
            ("bytes", .bytes, "bytes"),
            ("address[]", .array(.address), "address[]"),
            ("uint256[3][]", .array(.fixedArray(.uint(256), 3)), "uint256[3][]"),
            ("(uint256,bytes)[2]", .fixedArray(.tuple([.uint(256), .bytes]), 2), "(uint256,bytes)[2]"),
            ("(address,(uint8,string)[])", .tuple([.address, .array(.tuple([.uint(8), .string]))]),
             "(address,(uint8,string)[])"),
            ("tuple(uint,bool)[]", .array(.tuple([.uint(256), .bool])), "(uint256,bool)[]"),
        ]
        for (text, type, canonical) in cases {
            #expect(try ABIType(parsing: text) == type, "\(text)")
            #expect(type.canonical == canonical)
            #expect(try ABIType(parsing: canonical) == type)
        }
    }

    @Test func layout() throws {
        func t(_ s: String) throws -> ABIType { try ABIType(parsing: s) }
        #expect(try t("uint256[3]").headSize == 96)
        #expect(try !t("uint256[3]").isDynamic)
        #expect(try t("(uint256,(bool,bytes3))[2]").headSize == 192)
        #expect(try t("(uint256,bytes)[2]").isDynamic)
        #expect(try t("(uint256,bytes)[2]").headSize == 32)
        #expect(try t("string[2]").isDynamic)
        #expect(try t("uint8[][3]").headSize == 32)
        #expect(try t("bytes32").headSize == 32)
    }

    @Test func refusesInvalidTypesNamingTheProblem() {
        func expectError(_ text: String, _ offset: Int, _ reason: ABIParseError.Reason) {
            #expect(throws: ABIParseError(text: text, offset: offset, reason: reason), "\(text)") {
                try ABIType(parsing: text)
            }
        }
        expectError("uint7", 0, .invalidIntegerSize("uint7"))
        expectError("uint264", 0, .invalidIntegerSize("uint264"))
        expectError("int0", 0, .invalidIntegerSize("int0"))
        expectError("uint08", 0, .invalidIntegerSize("uint08"))
        expectError("bytes33", 0, .invalidBytesSize("bytes33"))
        expectError("bytes0", 0, .invalidBytesSize("bytes0"))
        expectError("uint256[0]", 8, .invalidArrayLength("0"))
        expectError("uint256[01]", 8, .invalidArrayLength("01"))
        expectError("uint256[", 8, .unexpectedEnd(expected: "']' or a decimal array length"))
        expectError("uint256[x]", 8, .unexpectedCharacter("x", expected: "']' or a decimal array length"))
        expectError("()", 0, .emptyTuple)
        expectError("(uint256", 8, .unexpectedEnd(expected: "',' or ')'"))
        expectError("(uint256,,bool)", 9, .unexpectedCharacter(",", expected: "a type"))
        expectError("uint256 ", 7, .trailingCharacters)
        expectError("(uint256 a)", 8, .unexpectedCharacter(" ", expected: "',' or ')'"))
        expectError("foo", 0, .unknownType("foo"))
        expectError("fixed128x18", 0, .unsupportedType("fixed128x18"))
        expectError("", 0, .unexpectedEnd(expected: "a type"))
        expectError("uint256[1000000][1000000]", 0, .tooLarge)
        expectError(String(repeating: "(", count: 40) + "uint8" + String(repeating: ")", count: 40),
                    ABIType.maxDepth + 1, .nestingTooDeep)
        expectError("uint8" + String(repeating: "[]", count: 40), 5 + 2 * ABIType.maxDepth, .nestingTooDeep)
        #expect(ABIParseError(text: "uint7", offset: 0, reason: .invalidIntegerSize("uint7")).description
            == "ABI: cannot parse \"uint7\" at offset 0: invalid integer type \"uint7\" (size must be a multiple of 8 from 8 to 256)")
    }

    @Test func handBuiltTypesAreValidatedBeforeUse() {
        let bad = ABIType.tuple([.uint(7)])
        #expect(throws: ABIEncodingError(path: "", reason: .invalidType(
            ABIParseError(text: "uint7", offset: 0, reason: .invalidIntegerSize("uint7"))))) {
            try ABI.encode([bad], [.tuple([.uint(1)])])
        }
        #expect(throws: ABIDecodingError(offset: 0, reason: .invalidType(
            ABIParseError(text: "uint256[0]", offset: 0, reason: .invalidArrayLength("0"))))) {
            try ABI.decode([.fixedArray(.uint(256), 0)], [])
        }
        #expect(throws: ABIDecodingError(offset: 0, reason: .invalidType(
            ABIParseError(text: "()", offset: 0, reason: .emptyTuple)))) {
            try ABI.decode([.array(.tuple([]))], abiWord(32) + abiWord(1000))
        }
        // Lengths that would overflow the layout arithmetic if they were ever used.
        #expect(throws: ABIDecodingError(offset: 0, reason: .invalidType(
            ABIParseError(text: "bytes[9223372036854775807]", offset: 0, reason: .tooLarge)))) {
            try ABI.decode([.fixedArray(.bytes, Int.max)], abiWord(32))
        }
        #expect(throws: ABIEncodingError(path: "", reason: .invalidType(
            ABIParseError(text: "uint8[][1048576]", offset: 0, reason: .tooLarge)))) {
            try ABI.encode([.tuple([.bool, .fixedArray(.array(.uint(8)), 1 << 20)])], [.tuple([])])
        }
        let event = ABIEvent(name: "E", inputs: [ABIParameter(.fixedBytes(40), indexed: true)])
        #expect(throws: ABILogError.topic(index: 1, ABIDecodingError(offset: 0, reason: .invalidType(
            ABIParseError(text: "bytes40", offset: 0, reason: .invalidBytesSize("bytes40")))))) {
            try event.decodeLog(topics: [event.topic0, abiWord(1)], data: [])
        }
    }

    @Test func humanReadableSignatures() throws {
        let f = try ABIFunction(signature: "function balanceOf(address owner) external view returns (uint256 balance)")
        #expect(f.name == "balanceOf")
        #expect(f.inputs == [ABIParameter(.address, name: "owner")])
        #expect(f.outputs == [ABIParameter(.uint(256), name: "balance")])
        #expect(f.stateMutability == "view")
        #expect(f.description == "balanceOf(address)(uint256)")

        let cast = try ABIFunction(signature: "balanceOf(address)(uint256)")
        #expect(cast.signature == "balanceOf(address)")
        #expect(cast.outputTypes == [.uint(256)])

        let s = try ABIFunction(signature: "submit((uint256 a, bytes b)[] memory items, string calldata note)")
        #expect(s.signature == "submit((uint256,bytes)[],string)")

        let e = try ABIEvent(signature: "event Transfer(address indexed from, address indexed to, uint256 value)")
        #expect(e.inputs.map(\.indexed) == [true, true, false])
        #expect(e.inputs.map(\.name) == ["from", "to", "value"])
        #expect(e.signature == "Transfer(address,address,uint256)")

        let err = try ABIErrorDefinition(signature: "error InsufficientBalance(uint256 available, uint256 required)")
        #expect(err.selector.hex == "0xcf479181")

        #expect(throws: ABIParseError(text: "f(uint256 indexed x)", offset: 18, reason: .invalidName("x"))) {
            try ABIFunction(signature: "f(uint256 indexed x)")
        }
        #expect(throws: ABIParseError(text: "f(uint256) nonsense", offset: 11, reason: .invalidName("nonsense"))) {
            try ABIFunction(signature: "f(uint256) nonsense")
        }
        #expect(throws: ABIParseError(text: "2f()", offset: 0, reason: .invalidName("2f"))) {
            try ABIFunction(signature: "2f()")
        }
    }
}
