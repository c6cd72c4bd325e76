import Testing
@testable import Core

/// Command-line arguments (`cast abi-encode` syntax) and the text form of values.
@Suite struct ABIArgumentTests {
    func parse(_ text: String, _ type: String) throws -> ABIValue {
        try ABI.parseArgument(text, as: try ABIType(parsing: type))
    }

    func expectError(_ text: String, _ type: String, _ path: String, _ reason: ABIArgumentError.Reason,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let canonical = (try? ABIType(parsing: type))?.canonical ?? type
        #expect(throws: ABIArgumentError(text: text, type: canonical, path: path, reason: reason),
                sourceLocation: sourceLocation) { try parse(text, type) }
    }

    @Test func integers() throws {
        #expect(try parse("1000", "uint256") == .uint(1000))
        #expect(try parse("0x3e8", "uint256") == .uint(1000))
        #expect(try parse(" 255 ", "uint8") == .uint(255))
        #expect(try parse("-128", "int8") == .signed(-128))
        #expect(try parse("+127", "int8") == .signed(127))
        #expect(try parse("-0x10", "int16") == .signed(-16))
        #expect(try parse("115792089237316195423570985008687907853269984665640564039457584007913129639935", "uint256")
            == .uint(UInt256.max))
        expectError("256", "uint8", "", .outOfRange(value: "256", type: "uint8"))
        expectError("-1", "uint256", "", .negativeUnsigned("-1"))
        expectError("128", "int8", "", .outOfRange(value: "128", type: "int8"))
        expectError("-129", "int8", "", .outOfRange(value: "-129", type: "int8"))
        expectError("12a", "uint256", "", .notAnInteger("12a"))
        expectError("", "uint256", "", .notAnInteger(""))
        expectError("--1", "int256", "", .notAnInteger("--1"))
        expectError("1 2", "uint256", "", .notAnInteger("1 2"))
    }

    @Test func addressesBoolsAndBytes() throws {
        let checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        #expect(try parse(checksummed, "address") == .address(try Address(checksummed)))
        #expect(try parse(checksummed.lowercased(), "address") == .address(try Address(checksummed)))
        expectError("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "address", "",
                    .invalidAddress("invalid address: EIP-55 checksum mismatch in 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
        expectError("0x1234", "address", "", .invalidAddress("invalid address: expected 20 bytes, got 2"))
        #expect(try parse("true", "bool") == .bool(true))
        #expect(try parse("false", "bool") == .bool(false))
        expectError("1", "bool", "", .notABool("1"))
        #expect(try parse("0x", "bytes") == .bytes([]))
        #expect(try parse("0xDEADbeef", "bytes") == .bytes([0xde, 0xad, 0xbe, 0xef]))
        #expect(try parse("0x0102", "bytes2") == .fixedBytes([1, 2]))
        expectError("0x01", "bytes2", "", .wrongByteCount(expected: 2, actual: 1))
        expectError("deadbeef", "bytes", "", .invalidHex("hex string must start with 0x"))
        expectError("0xabc", "bytes", "", .invalidHex("hex string has an odd number of digits (3)"))
    }

    @Test func stringsAreRawAtTopLevelAndQuotedOrBareInside() throws {
        #expect(try parse("  hello, [world] ", "string") == .string("  hello, [world] "))
        #expect(try parse("[a, b c ,\"d, \\\"e\\\"\"]", "string[]")
            == .array([.string("a"), .string("b c"), .string("d, \"e\"")]))
        #expect(try parse("[\"tab\\tnl\\n\", \"\"]", "string[2]") == .array([.string("tab\tnl\n"), .string("")]))
        expectError("[\"abc]", "string[]", "[0]", .unterminatedString)
        expectError("[\"a\\q\"]", "string[]", "[0]", .invalidEscape("q"))
    }

    @Test func arraysAndTuplesNest() throws {
        #expect(try parse("[]", "uint256[]") == .array([]))
        #expect(try parse("[ [1,2] , [] ]", "uint8[][]") == .array([.array([.uint(1), .uint(2)]), .array([])]))
        #expect(try parse("[(1, \"a,b\"), (2, plain text)]", "(uint8,string)[]")
            == .array([.tuple([.uint(1), .string("a,b")]), .tuple([.uint(2), .string("plain text")])]))
        #expect(try parse("(0x01, [true, false], (-3))", "(bytes1,bool[2],(int256))")
            == .tuple([.fixedBytes([1]), .array([.bool(true), .bool(false)]), .tuple([.signed(-3)])]))
        expectError("[1,x]", "uint256[]", "[1]", .notAnInteger("x"))
        expectError("[[1],[2,300]]", "uint8[][]", "[1][1]", .outOfRange(value: "300", type: "uint8"))
        expectError("(1,2,3)", "(uint8,uint8)", "", .wrongElementCount(expected: 2, actual: 3))
        expectError("[1]", "uint8[2]", "", .wrongElementCount(expected: 2, actual: 1))
        expectError("1,2", "uint8[]", "", .expected("'['", found: "\"1\""))
        expectError("[1", "uint8[]", "", .expected("',' or ']'", found: "end of text"))
        expectError("[1] x", "uint8[]", "", .trailingCharacters("x"))
        expectError("[(1,yes)]", "(uint8,bool)[]", "[0].1", .notABool("yes"))
    }

    @Test func errorsNameTheArgument() throws {
        let f = try ABIFunction(signature: "transfer(address,uint256)")
        do {
            _ = try f.encodeCall(arguments: ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1e18"])
            Issue.record("expected an error")
        } catch let e as ABIArgumentError {
            #expect(e.argument == 1)
            #expect(e.description == "cannot parse argument #2 \"1e18\" as uint256: \"1e18\" is not a decimal or 0x-hex integer")
        }
        #expect(throws: ABIArgumentError(text: "1", type: "(address,uint256)", path: "",
                                         reason: .argumentCount(expected: 2, actual: 1))) {
            try f.encodeCall(arguments: ["1"])
        }
        let nested = ABIArgumentError(text: "[1,x]", type: "uint256[]", path: "[1]", reason: .notAnInteger("x"))
        #expect(nested.description == "cannot parse \"[1,x]\" as uint256[]: at [1]: \"x\" is not a decimal or 0x-hex integer")
        #expect(try f.encodeCall(arguments: ["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "1000"]).hex
            == "0xa9059cbb0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            + "00000000000000000000000000000000000000000000000000000000000003e8")
    }

    @Test func descriptionsUseTheArgumentSyntax() throws {
        let a = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let v = ABIValue.tuple([.uint(1), .signed(-2), .string("a\"b,\\"), .array([.bool(true), .bool(false)]),
                                .address(a), .bytes([0xab]), .fixedBytes([0, 1]), .array([])])
        #expect(v.description
            == "(1, -2, \"a\\\"b,\\\\\", [true, false], 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, 0xab, 0x0001, [])")
        #expect(ABIValue.string("raw, text").description == "raw, text")
        let t = try ABIType(parsing: "(uint8,int8,string,bool[],address,bytes,bytes2,uint256[])")
        #expect(try ABI.parseArgument(v.description, as: t) == v)
    }
}
