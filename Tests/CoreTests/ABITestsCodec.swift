import Testing
@testable import Core

@Suite struct ABIEncodingTests {
    @Test func signedIntegersAreSignExtended() throws {
        #expect(try ABI.encode([.int(8)], [.signed(-1)]) == Bytes(repeating: 0xff, count: 32))
        #expect(try ABI.encode([.int(8)], [.signed(-128)]) == Bytes(repeating: 0xff, count: 31) + [0x80])
        #expect(try ABI.encode([.int(16)], [.signed(127)]) == abiWord(127))
        let min256 = ABIValue.int(UInt256.one << 255)
        #expect(try ABI.encode([.int(256)], [min256]) == [0x80] + Bytes(repeating: 0, count: 31))
        #expect(try ABI.decode([.int(8)], Bytes(repeating: 0xff, count: 32)) == [.signed(-1)])
        #expect(ABIValue.signed(-5).description == "-5")
        #expect(min256.description == "-57896044618658097711785492504343953926634992332820282019728792003956564819968")
        #expect(ABIValue.signed(negative: true, magnitude: UInt256.one << 255) == min256)
        #expect(ABIValue.signed(negative: false, magnitude: UInt256.one << 255) == nil)
    }

    @Test func addressesAndFixedBytesArePaddedOnTheRightSide() throws {
        let a = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(try ABI.encode([.address], [.address(a)]) == Bytes(repeating: 0, count: 12) + a.bytes)
        #expect(try ABI.encode([.fixedBytes(2)], [.fixedBytes([0xab, 0xcd])]) == [0xab, 0xcd] + Bytes(repeating: 0, count: 30))
        #expect(try ABI.encode([.string], [.string("")]) == abiWord(32) + abiWord(0))
        #expect(try ABI.encode([.bytes], [.bytes(Bytes(repeating: 7, count: 32))]) == abiWord(32) + abiWord(32) + Bytes(repeating: 7, count: 32))
    }

    @Test func refusesValuesThatDoNotFitTheirTypes() {
        func expectError(_ types: [ABIType], _ values: [ABIValue], _ path: String, _ reason: ABIEncodingError.Reason) {
            #expect(throws: ABIEncodingError(path: path, reason: reason)) { try ABI.encode(types, values) }
        }
        expectError([.uint(8)], [.uint(256)], "#0", .outOfRange(type: "uint8", value: "256"))
        expectError([.uint(256), .uint(160)], [.uint(1), .uint(UInt256.one << 160)], "#1",
                    .outOfRange(type: "uint160", value: "1461501637330902918203684832716283019655932542976"))
        expectError([.int(8)], [.signed(128)], "#0", .outOfRange(type: "int8", value: "128"))
        expectError([.int(8)], [.signed(-129)], "#0", .outOfRange(type: "int8", value: "-129"))
        expectError([.fixedBytes(3)], [.fixedBytes([1, 2])], "#0", .wrongByteCount(type: "bytes3", expected: 3, actual: 2))
        expectError([.fixedArray(.uint(256), 2)], [.array([.uint(1)])], "#0",
                    .wrongElementCount(type: "uint256[2]", expected: 2, actual: 1))
        expectError([.tuple([.bool, .bool])], [.tuple([.bool(true)])], "#0",
                    .wrongElementCount(type: "(bool,bool)", expected: 2, actual: 1))
        expectError([.uint(256), .array(.tuple([.bool, .uint(8)]))],
                    [.uint(1), .array([.tuple([.bool(true), .uint(1)]), .tuple([.bool(false), .uint(300)])])],
                    "#1[1].1", .outOfRange(type: "uint8", value: "300"))
        expectError([.fixedArray(.array(.string), 2)], [.array([.array([]), .array([.string("a"), .uint(1)])])],
                    "#0[1][1]", .typeMismatch(type: "string", value: "uint"))
        expectError([.address], [.string("0x00")], "#0", .typeMismatch(type: "address", value: "string"))
        expectError([.uint(256)], [], "", .valueCount(expected: 1, actual: 0))
        #expect(ABIEncodingError(path: "#1[1].1", reason: .outOfRange(type: "uint8", value: "300")).description
            == "ABI encode: value #1[1].1: value 300 is out of range for uint8")
    }

    @Test func emptyArgumentListsEncodeToNothing() throws {
        #expect(try ABI.encode([], []) == [])
        #expect(try ABI.decode([], []) == [])
        #expect(try ABIFunction(signature: "g()").encodeCall([]).hex == "0xe2179b8e")
    }
}

/// Hostile and malformed encodings: each is refused with the exact problem and the byte
/// where it is, never with a trap or a huge allocation.
@Suite struct ABIDecodingTests {
    func expectError(_ types: [ABIType], _ data: Bytes, _ offset: Int, _ reason: ABIDecodingError.Reason,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: ABIDecodingError(offset: offset, reason: reason), sourceLocation: sourceLocation) {
            try ABI.decode(types, data)
        }
    }

    @Test func truncatedData() {
        expectError([.uint(256)], [], 0, .truncated(needed: 32, available: 0))
        expectError([.uint(256), .bool], abiWord(1) + [0, 0], 0, .truncated(needed: 64, available: 34))
        expectError([.fixedArray(.uint(256), 3)], abiWord(1) + abiWord(2), 0, .truncated(needed: 96, available: 64))
        // A dynamic tail whose head fits but whose length word is cut off.
        expectError([.string], abiWord(32) + [0, 0, 0], 0, .offsetOutOfRange("32"))
    }

    @Test func dirtyHighBitsAreRefusedAsSolidityDoes() {
        expectError([.uint(8)], abiWord(256), 0, .dirtyPadding(type: "uint8"))
        expectError([.uint(256), .uint(32)], abiWord(0) + abiWord(1 << 32), 32, .dirtyPadding(type: "uint32"))
        // 0x80 is 128, not a sign-extended int8.
        expectError([.int(8)], abiWord(0x80), 0, .dirtyPadding(type: "int8"))
        expectError([.int(8)], Bytes(repeating: 0xff, count: 31) + [0x7f], 0, .dirtyPadding(type: "int8"))
        var addr = Bytes(repeating: 0, count: 32)
        addr[11] = 1
        expectError([.address], addr, 0, .dirtyPadding(type: "address"))
        var b3 = Bytes(repeating: 0, count: 32)
        b3[3] = 1
        expectError([.fixedBytes(3)], b3, 0, .dirtyPadding(type: "bytes3"))
        expectError([.bool], abiWord(2), 0, .invalidBool("2"))
        expectError([.bool], Bytes(repeating: 0xff, count: 32), 0,
                    .invalidBool("115792089237316195423570985008687907853269984665640564039457584007913129639935"))
    }

    @Test func offsetsOutOfRange() {
        expectError([.bytes], abiWord(0x1000), 0, .offsetOutOfRange("4096"))
        expectError([.bytes], (UInt256.one << 255).bigEndianBytes, 0,
                    .offsetOutOfRange("57896044618658097711785492504343953926634992332820282019728792003956564819968"))
        // Offset pointing exactly at the end: no room for the length word.
        expectError([.bytes], abiWord(32), 0, .offsetOutOfRange("32"))
        // Nested: the inner offset is relative to the inner array's element area (byte 64).
        expectError([.array(.bytes)], abiWord(32) + abiWord(1) + abiWord(0x40), 64, .offsetOutOfRange("64"))
    }

    @Test func offsetsPointingBackwardsAreRefused() {
        // Into the head (the offset itself): what would make a loop in a naive decoder.
        expectError([.uint(256), .bytes], abiWord(1) + abiWord(0) + abiWord(0), 32, .offsetBackwards(target: 0, minimum: 64))
        // Two values sharing one tail (aliasing).
        let shared = abiWord(64) + abiWord(64) + abiWord(3) + abiHex("0x616263" + String(repeating: "0", count: 58))
        expectError([.bytes, .bytes], shared, 32, .offsetBackwards(target: 64, minimum: 128))
        // Inside an array of arrays: element 1 reuses element 0's data.
        let inner = abiWord(32) + abiWord(2) + abiWord(64) + abiWord(64) + abiWord(1) + abiWord(5)
        expectError([.array(.array(.uint(256)))], inner, 96, .offsetBackwards(target: 128, minimum: 192))
    }

    /// The classic decompression bomb: 2 KB whose nested arrays all point at one shared
    /// child would decode to 8^8 ≈ 16.7 million values in a decoder that follows aliases.
    @Test func aliasingBombIsRefused() {
        let levels = 8
        // Level k starts at 32 + 288k: length 8, then 8 offsets all pointing just past them.
        var data = abiWord(32)
        for _ in 0..<levels {
            data += abiWord(8)
            for _ in 0..<8 { data += abiWord(256) }
        }
        var t: ABIType = .uint(256)
        for _ in 0..<levels { t = .array(t) }
        // The deepest array decodes (its 8 words are its values); its parent's second
        // element then points back at it.
        let parent = 32 + 288 * (levels - 2)
        expectError([t], data, parent + 64, .offsetBackwards(target: parent + 288, minimum: parent + 576))
    }

    @Test func hugeLengthsAreCheckedBeforeAllocating() {
        expectError([.bytes], abiWord(32) + UInt256(w0: 0, w1: 1, w2: 0, w3: 0).bigEndianBytes, 32,
                    .lengthOutOfRange("18446744073709551616", available: 0))
        expectError([.bytes], abiWord(32) + abiWord(33) + Bytes(repeating: 0, count: 32), 32,
                    .lengthOutOfRange("33", available: 32))
        expectError([.array(.uint(256))], abiWord(32) + abiWord(0xffff_ffff), 32,
                    .lengthOutOfRange("4294967295", available: 0))
        expectError([.array(.fixedArray(.uint(256), 4))], abiWord(32) + abiWord(2) + Bytes(repeating: 0, count: 128 + 96), 32,
                    .lengthOutOfRange("2", available: 224))
        expectError([.array(.uint(256))], abiWord(32) + UInt256.max.bigEndianBytes, 32,
                    .lengthOutOfRange(UInt256.max.description, available: 0))
    }

    @Test func bytesPaddingAndUTF8() {
        // Length 40 needs 64 bytes of padded data; only 48 remain.
        expectError([.bytes], abiWord(32) + abiWord(40) + Bytes(repeating: 1, count: 48), 64, .truncated(needed: 64, available: 48))
        var dirty = abiWord(32) + abiWord(5) + Bytes(repeating: 0x61, count: 5) + Bytes(repeating: 0, count: 27)
        dirty[64 + 31] = 1
        expectError([.bytes], dirty, 69, .dirtyPadding(type: "bytes"))
        expectError([.string], abiWord(32) + abiWord(1) + [0xff] + Bytes(repeating: 0, count: 31), 64, .invalidUTF8)
        // An overlong encoding of "/" is not UTF-8 either.
        expectError([.string], abiWord(32) + abiWord(2) + [0xc0, 0xaf] + Bytes(repeating: 0, count: 30), 64, .invalidUTF8)
    }

    @Test func calldataSelectorsAndOffsets() throws {
        let transfer = try ABIFunction(signature: "transfer(address,uint256)")
        #expect(throws: ABIDecodingError(offset: 0, reason: .truncated(needed: 4, available: 2))) {
            try transfer.decodeCall([0xa9, 0x05])
        }
        #expect(throws: ABIDecodingError(offset: 0, reason: .wrongSelector(expected: "0xa9059cbb", found: "0x00000000"))) {
            try transfer.decodeCall(Bytes(repeating: 0, count: 68))
        }
        // Errors inside the arguments count the selector.
        let dirtyAddress = transfer.selector + Bytes(repeating: 0xff, count: 32) + abiWord(1)
        #expect(throws: ABIDecodingError(offset: 4, reason: .dirtyPadding(type: "address"))) {
            try transfer.decodeCall(dirtyAddress)
        }
        #expect(throws: ABIDecodingError(offset: 4, reason: .truncated(needed: 64, available: 32))) {
            try transfer.decodeCall(transfer.selector + abiWord(1))
        }
        #expect(ABIDecodingError(offset: 4, reason: .truncated(needed: 64, available: 32)).description
            == "ABI decode: at byte 4: needs 64 bytes but only 32 remain")
    }

    @Test func trailingBytesAndGapsAreTolerated() throws {
        // Solidity ignores extra calldata, and a gap before a tail is not an overlap.
        #expect(try ABI.decode([.uint(256)], abiWord(7) + [1, 2, 3]) == [.uint(7)])
        let gap = abiWord(64) + Bytes(repeating: 0xee, count: 32) + abiWord(1) + [0x41] + Bytes(repeating: 0, count: 31)
        #expect(try ABI.decode([.string], gap) == [.string("A")])
    }
}
