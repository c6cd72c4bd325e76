import Foundation
import Testing
@testable import Core

/// JSON ABIs (as solc emits them), events and revert data.
@Suite struct ContractABITests {
    /// An ERC-20 with the shapes real artifacts have: internalType, overloads, a custom
    /// error, a constructor, structs (tuple components), indexed dynamic inputs.
    static let tokenABI = """
    [
      {"type":"constructor","stateMutability":"nonpayable","inputs":[
        {"name":"name_","type":"string","internalType":"string"},
        {"name":"supply","type":"uint256","internalType":"uint256"}]},
      {"type":"function","name":"transfer","stateMutability":"nonpayable",
       "inputs":[{"name":"to","type":"address","internalType":"address"},
                 {"name":"value","type":"uint256","internalType":"uint256"}],
       "outputs":[{"name":"","type":"bool","internalType":"bool"}]},
      {"type":"function","name":"balanceOf","stateMutability":"view",
       "inputs":[{"name":"account","type":"address"}],
       "outputs":[{"name":"","type":"uint256"}]},
      {"type":"function","name":"safeTransferFrom","inputs":[
        {"name":"from","type":"address"},{"name":"to","type":"address"},{"name":"id","type":"uint256"}],
       "outputs":[],"stateMutability":"nonpayable"},
      {"type":"function","name":"safeTransferFrom","inputs":[
        {"name":"from","type":"address"},{"name":"to","type":"address"},{"name":"id","type":"uint256"},
        {"name":"data","type":"bytes"}],"outputs":[],"stateMutability":"nonpayable"},
      {"type":"function","name":"batches","stateMutability":"view","inputs":[],
       "outputs":[{"name":"list","type":"tuple[]","internalType":"struct Batch[]","components":[
         {"name":"index","type":"uint64"},{"name":"root","type":"bytes32"},
         {"name":"signers","type":"tuple[2]","components":[{"name":"who","type":"address"},{"name":"ok","type":"bool"}]}]}]},
      {"type":"event","name":"Transfer","anonymous":false,"inputs":[
        {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},
        {"name":"value","type":"uint256","indexed":false}]},
      {"type":"event","name":"Named","anonymous":false,"inputs":[
        {"name":"label","type":"string","indexed":true},{"name":"flag","type":"bool","indexed":true},
        {"name":"note","type":"string","indexed":false}]},
      {"type":"error","name":"InsufficientBalance","inputs":[
        {"name":"available","type":"uint256"},{"name":"required","type":"uint256"}]},
      {"type":"error","name":"Unauthorized","inputs":[]},
      {"type":"receive","stateMutability":"payable"}
    ]
    """

    static func token() throws -> ContractABI { try ContractABI(jsonText: tokenABI) }

    @Test func functionsByNameAndSignature() throws {
        let abi = try Self.token()
        #expect(abi.functions.count == 5)
        #expect(try abi.function("transfer").selector.hex == "0xa9059cbb")
        #expect(try abi.function("transfer").stateMutability == "nonpayable")
        #expect(try abi.function("balanceOf").selector.hex == "0x70a08231")
        #expect(abi.functions(named: "safeTransferFrom").map(\.selector.hex) == ["0x42842e0e", "0xb88d4fde"])
        #expect(throws: ContractABIError.ambiguous("safeTransferFrom", candidates: [
            "safeTransferFrom(address,address,uint256)", "safeTransferFrom(address,address,uint256,bytes)"])) {
            try abi.function("safeTransferFrom")
        }
        #expect(try abi.function("safeTransferFrom(address,address,uint256,bytes)").selector.hex == "0xb88d4fde")
        #expect(try abi.function("safeTransferFrom(address from, address to, uint256 id)").selector.hex == "0x42842e0e")
        #expect(throws: ContractABIError.notFound("function mint")) { try abi.function("mint") }
        #expect(abi.function(selector: [0x70, 0xa0, 0x82, 0x31])?.name == "balanceOf")
        #expect(abi.hasReceive && !abi.hasFallback)
        #expect(abi.constructor?.inputs.map(\.type) == [.string, .uint(256)])
    }

    @Test func tupleComponentsBecomeTupleTypes() throws {
        let f = try Self.token().function("batches")
        #expect(f.outputTypes.map(\.canonical) == ["(uint64,bytes32,(address,bool)[2])[]"])
        #expect(f.description == "batches()((uint64,bytes32,(address,bool)[2])[])")
        let who = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let batch = ABIValue.tuple([.uint(7), .fixedBytes(Bytes(repeating: 0x11, count: 32)),
                                    .array([.tuple([.address(who), .bool(true)]), .tuple([.address(.zero), .bool(false)])])])
        let returned = try f.encodeReturn([.array([batch])])
        #expect(try f.decodeReturn(returned) == [.array([batch])])
    }

    /// The two JSON examples of the Solidity ABI specification ("JSON" and "Handling tuple types").
    @Test func specificationJSONExamples() throws {
        let events = try ContractABI(jsonText: """
            [{"type":"event","inputs":[{"name":"a","type":"uint256","indexed":true},{"name":"b","type":"bytes32","indexed":false}],"name":"Event"},
             {"type":"event","inputs":[{"name":"a","type":"uint256","indexed":true},{"name":"b","type":"bytes32","indexed":false}],"name":"Event2"},
             {"type":"function","inputs":[{"name":"a","type":"uint256"}],"name":"foo","outputs":[]}]
            """)
        #expect(try events.event("Event").topic0.hex == "0xb9b10fa6330336bee883557e906ab0d5e98ee503069e9c49689f95022db81399")
        #expect(try events.function("foo").selector.hex == "0x2fbebd38")
        let tuples = try ContractABI(jsonText: """
            [{"name":"f","type":"function","inputs":[
               {"name":"s","type":"tuple","components":[{"name":"a","type":"uint256"},{"name":"b","type":"uint256[]"},
                 {"name":"c","type":"tuple[]","components":[{"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]}]},
               {"name":"t","type":"tuple","components":[{"name":"x","type":"uint256"},{"name":"y","type":"uint256"}]},
               {"name":"a","type":"uint256"}],"outputs":[]}]
            """)
        let f = try tuples.function("f")
        #expect(f.signature == "f((uint256,uint256[],(uint256,uint256)[]),(uint256,uint256),uint256)")
        #expect(f.selector.hex == "0x6f2be728")
    }

    @Test func artifactObjectsAndMalformedJSON() throws {
        let artifact = "{\"contractName\":\"T\",\"abi\":[{\"type\":\"function\",\"name\":\"g\",\"inputs\":[]}],\"bytecode\":\"0x00\"}"
        #expect(try ContractABI(jsonText: artifact).functions.map(\.signature) == ["g()"])
        #expect(throws: ContractABIError.notAnABI) { try ContractABI(jsonText: "{\"x\":1}") }
        #expect(throws: ContractABIError.invalidJSON("invalid JSON at byte 1: unexpected end of input")) {
            try ContractABI(jsonText: "[")
        }
        #expect(throws: ContractABIError.invalidEntry(index: 0, field: "name", message: "missing or not a string")) {
            try ContractABI(jsonText: "[{\"type\":\"function\",\"inputs\":[]}]")
        }
        #expect(throws: ContractABIError.invalidEntry(index: 1, field: "inputs[0].type", message:
            "ABI: cannot parse \"uint7\" at offset 0: invalid integer type \"uint7\" (size must be a multiple of 8 from 8 to 256)")) {
            try ContractABI(jsonText: "[{\"type\":\"fallback\"},{\"type\":\"function\",\"name\":\"f\",\"inputs\":[{\"name\":\"x\",\"type\":\"uint7\"}]}]")
        }
        #expect(throws: ContractABIError.invalidEntry(index: 0, field: "inputs[0].components", message: "a tuple needs a components array")) {
            try ContractABI(jsonText: "[{\"type\":\"function\",\"name\":\"f\",\"inputs\":[{\"name\":\"x\",\"type\":\"tuple\"}]}]")
        }
        #expect(throws: ContractABIError.invalidEntry(index: 0, field: "type", message: "unknown entry type \"struct\"")) {
            try ContractABI(jsonText: "[{\"type\":\"struct\"}]")
        }
    }

    @Test func decodesLogs() throws {
        let abi = try Self.token()
        let from = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let to = try Address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let transfer = try abi.event("Transfer")
        let topics = [transfer.topic0, Bytes(repeating: 0, count: 12) + from.bytes, Bytes(repeating: 0, count: 12) + to.bytes]
        let data = abiWord(1_000_000)
        #expect(try transfer.decodeLog(topics: topics, data: data) == [.address(from), .address(to), .uint(1_000_000)])
        #expect(try transfer.decodeLogByName(topics: topics, data: data)
            == ["from": .address(from), "to": .address(to), "value": .uint(1_000_000)])
        let matched = try #require(try abi.decodeLog(topics: topics, data: data))
        #expect(matched.event.name == "Transfer")
        #expect(try abi.decodeLog(topics: [Bytes(repeating: 9, count: 32)], data: []) == nil)

        // An indexed string is only its hash: the topic comes back as bytes32.
        let named = try abi.event("Named")
        let labelHash = Keccak.hash256("alice")
        #expect(labelHash.hex == "0x9c0257114eb9399a2985f8e75dad7600c5d89fe3824ffa99ec1c3eb8bf3b0501")
        let noteData = try ABI.encode([.string], [.string("hi")])
        #expect(try named.decodeLog(topics: [named.topic0, labelHash, abiWord(1)], data: noteData)
            == [.fixedBytes(labelHash), .bool(true), .string("hi")])

        #expect(throws: ABILogError.topicCount(expected: 3, actual: 2)) {
            try transfer.decodeLog(topics: Array(topics.prefix(2)), data: data)
        }
        #expect(throws: ABILogError.wrongTopic0(expected: transfer.topic0.hex, found: named.topic0.hex)) {
            try transfer.decodeLog(topics: [named.topic0] + topics.dropFirst(), data: data)
        }
        #expect(throws: ABILogError.topicLength(index: 2, count: 20)) {
            try transfer.decodeLog(topics: [topics[0], topics[1], to.bytes], data: data)
        }
        #expect(throws: ABILogError.topic(index: 1, ABIDecodingError(offset: 0, reason: .dirtyPadding(type: "address")))) {
            try transfer.decodeLog(topics: [topics[0], Bytes(repeating: 0xff, count: 32), topics[2]], data: data)
        }
        #expect(throws: ABILogError.topic(index: 2, ABIDecodingError(offset: 0, reason: .invalidBool("2")))) {
            try named.decodeLog(topics: [named.topic0, labelHash, abiWord(2)], data: noteData)
        }
        #expect(throws: ABILogError.data(ABIDecodingError(offset: 0, reason: .truncated(needed: 32, available: 0)))) {
            try transfer.decodeLog(topics: topics, data: [])
        }
        let anonymous = ABIEvent(name: "Anon", inputs: [ABIParameter(.uint(8), indexed: true)], anonymous: true)
        #expect(try anonymous.decodeLog(topics: [abiWord(5)], data: []) == [.uint(5)])
        #expect(try anonymous.decodeLogByName(topics: [abiWord(5)], data: []) == ["0": .uint(5)])
    }

    @Test func revertReasons() throws {
        // The example of the Solidity documentation ("Error handling: Assert, Require, Revert").
        let notEnough = abiHex("""
            0x08c379a0
            0000000000000000000000000000000000000000000000000000000000000020
            000000000000000000000000000000000000000000000000000000000000001a
            4e6f7420656e6f7567682045746865722070726f76696465642e000000000000
            """)
        #expect(ABI.decodeRevert(notEnough) == .message("Not enough Ether provided."))
        #expect(ABI.decodeRevert(notEnough).description == "reverted: Not enough Ether provided.")
        #expect(try ABIErrorDefinition.errorString.encode([.string("Not enough Ether provided.")]) == notEnough)

        let overflow = abiHex("0x4e487b71") + abiWord(0x11)
        #expect(ABI.decodeRevert(overflow) == .panic(0x11))
        #expect(ABI.decodeRevert(overflow).description == "panic 0x11 (arithmetic overflow or underflow)")
        #expect(ABI.decodeRevert(abiHex("0x4e487b71") + abiWord(0x99)).description == "panic 0x99")

        let abi = try Self.token()
        let insufficient = try abi.errors[0].encode([.uint(1), .uint(2)])
        #expect(insufficient.prefix(4).elementsEqual([0xcf, 0x47, 0x91, 0x81]))
        #expect(abi.decodeRevert(insufficient).description == "reverted with InsufficientBalance(available: 1, required: 2)")
        #expect(abi.decodeRevert(abiHex("0x82b42900")).description == "reverted with Unauthorized()")
        #expect(abi.error(selector: [0x82, 0xb4, 0x29, 0x00])?.name == "Unauthorized")
        // Without the contract's ABI a custom error is not recognized.
        #expect(ABI.decodeRevert(insufficient) == .unrecognized(insufficient))
        #expect(ABI.decodeRevert([]).description == "reverted without a reason")
        #expect(ABI.decodeRevert([1, 2]) == .unrecognized([1, 2]))
        // A truncated Error(string) is not a message.
        let cut = Array(notEnough.prefix(40))
        #expect(ABI.decodeRevert(cut).description == "reverted with unrecognized data \(cut.hex)")
    }

    @Test func constructorArgumentsFollowTheBytecode() throws {
        let ctor = try #require(try Self.token().constructor)
        let data = try ctor.deploymentData(bytecode: [0x60, 0x80], arguments: [.string("EMT"), .uint(5)])
        #expect(data == [0x60, 0x80] + abiWord(64) + abiWord(5) + abiWord(3) + Array("EMT".utf8) + Bytes(repeating: 0, count: 29))
    }
}
