/// A contract function: what the bridge needs to call it (selector, argument encoding) and
/// to read its result.
public struct ABIFunction: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    public let outputs: [ABIParameter]
    /// `pure`, `view`, `nonpayable` or `payable` when known.
    public let stateMutability: String?
    /// Canonical signature, the text the selector hashes: `transfer(address,uint256)`.
    public let signature: String
    /// First four bytes of keccak256(signature).
    public let selector: Bytes

    public init(name: String, inputs: [ABIParameter], outputs: [ABIParameter] = [], stateMutability: String? = nil) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.stateMutability = stateMutability
        self.signature = ABIFunction.canonicalSignature(name, inputs)
        self.selector = Array(Keccak.hash256(signature)[0..<4])
    }

    /// Parses `transfer(address,uint256)`, Foundry's `balanceOf(address)(uint256)` with
    /// return types, or the human-readable form
    /// `function balanceOf(address owner) external view returns (uint256)`.
    public init(signature text: String) throws(ABIParseError) {
        var p = ABISignatureParser(text, human: true)
        let s = try p.parseSignature(keyword: "function", allowIndexed: false)
        let mutability = s.modifiers.first { ["pure", "view", "nonpayable", "payable"].contains($0) }
        self.init(name: s.name, inputs: s.inputs, outputs: s.outputs ?? [], stateMutability: mutability)
    }

    static func canonicalSignature(_ name: String, _ params: [ABIParameter]) -> String {
        var out = name + "("
        for (i, p) in params.enumerated() {
            if i > 0 { out += "," }
            p.type.appendCanonical(to: &out)
        }
        return out + ")"
    }

    public var inputTypes: [ABIType] { inputs.map(\.type) }
    public var outputTypes: [ABIType] { outputs.map(\.type) }

    /// `name(inputs)(outputs)`, as Foundry's `cast` writes a function with its returns.
    public var description: String {
        outputs.isEmpty ? signature : signature + ABIFunction.canonicalSignature("", outputs)
    }

    /// Calldata: selector ‖ abi.encode(arguments).
    public func encodeCall(_ values: [ABIValue]) throws(ABIEncodingError) -> Bytes {
        selector + (try ABI.encode(inputTypes, values))
    }

    /// Calldata from command-line texts (see `ABI.parseArgument`).
    public func encodeCall(arguments: [String]) throws -> Bytes {
        try encodeCall(try ABI.parseArguments(arguments, as: inputTypes))
    }

    /// The arguments of calldata for this function (selector checked).
    public func decodeCall(_ data: Bytes) throws(ABIDecodingError) -> [ABIValue] {
        try ABI.decode(inputTypes, selector: selector, data)
    }

    /// The values returned by a call (`eth_call` result).
    public func decodeReturn(_ data: Bytes) throws(ABIDecodingError) -> [ABIValue] {
        try ABI.decode(outputTypes, data)
    }

    /// abi.encode(return values): what a contract returns (for mocks and tests).
    public func encodeReturn(_ values: [ABIValue]) throws(ABIEncodingError) -> Bytes {
        try ABI.encode(outputTypes, values)
    }
}

/// A contract's constructor: its arguments are appended, ABI-encoded, to the creation code.
public struct ABIConstructor: Hashable, Sendable {
    public let inputs: [ABIParameter]
    public let stateMutability: String?

    public init(inputs: [ABIParameter], stateMutability: String? = nil) {
        self.inputs = inputs
        self.stateMutability = stateMutability
    }

    /// Deployment data: bytecode ‖ abi.encode(arguments).
    public func deploymentData(bytecode: Bytes, arguments: [ABIValue]) throws(ABIEncodingError) -> Bytes {
        bytecode + (try ABI.encode(inputs.map(\.type), arguments))
    }
}

/// A custom error (`error InsufficientBalance(uint256 available, uint256 required)`):
/// reverts carry selector ‖ abi.encode(arguments), like a call.
public struct ABIErrorDefinition: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    public let signature: String
    public let selector: Bytes

    public init(name: String, inputs: [ABIParameter]) {
        self.name = name
        self.inputs = inputs
        self.signature = ABIFunction.canonicalSignature(name, inputs)
        self.selector = Array(Keccak.hash256(signature)[0..<4])
    }

    /// `InsufficientBalance(uint256,uint256)` or `error InsufficientBalance(uint256 available, …)`.
    public init(signature text: String) throws(ABIParseError) {
        var p = ABISignatureParser(text, human: true)
        let s = try p.parseSignature(keyword: "error", allowIndexed: false)
        guard s.outputs == nil, s.modifiers.isEmpty else {
            throw ABIParseError(text: text, offset: p.i, reason: .trailingCharacters)
        }
        self.init(name: s.name, inputs: s.inputs)
    }

    /// Solidity's `require(cond, "message")` / `revert("message")`: selector 0x08c379a0.
    public static let errorString = ABIErrorDefinition(name: "Error", inputs: [ABIParameter(.string, name: "message")])
    /// Solidity's failed `assert`, overflow, division by zero…: selector 0x4e487b71.
    public static let panic = ABIErrorDefinition(name: "Panic", inputs: [ABIParameter(.uint(256), name: "code")])

    public var description: String { signature }

    /// The arguments of revert data for this error (selector checked).
    public func decode(_ data: Bytes) throws(ABIDecodingError) -> [ABIValue] {
        try ABI.decode(inputs.map(\.type), selector: selector, data)
    }

    /// selector ‖ abi.encode(arguments).
    public func encode(_ values: [ABIValue]) throws(ABIEncodingError) -> Bytes {
        selector + (try ABI.encode(inputs.map(\.type), values))
    }
}
