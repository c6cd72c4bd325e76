/// Why a log does not match an event.
public enum ABILogError: Error, Equatable, Sendable, CustomStringConvertible {
    case topicCount(expected: Int, actual: Int)
    case wrongTopic0(expected: String, found: String)
    case topicLength(index: Int, count: Int)
    /// Topic `index` is not a valid word of its input's type (dirty padding, bool ≠ 0/1).
    case topic(index: Int, ABIDecodingError)
    /// The non-indexed inputs could not be decoded from the log data.
    case data(ABIDecodingError)

    public var description: String {
        switch self {
        case .topicCount(let e, let a): return "log: expected \(e) topics, got \(a)"
        case .wrongTopic0(let e, let f): return "log: topic0 \(f) is not the event's \(e)"
        case .topicLength(let i, let n): return "log: topic \(i) has \(n) bytes, not 32"
        case .topic(let i, let e): return "log: topic \(i): \(e)"
        case .data(let e): return "log data: \(e)"
        }
    }
}

/// A contract event. Indexed inputs live in topics 1…3 (topic 0 is the signature hash
/// unless the event is anonymous); the others are ABI-encoded in the log's data.
public struct ABIEvent: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    public let anonymous: Bool
    /// `Transfer(address,address,uint256)`.
    public let signature: String
    /// keccak256(signature): the log's first topic for a non-anonymous event.
    public let topic0: Bytes

    public init(name: String, inputs: [ABIParameter], anonymous: Bool = false) {
        self.name = name
        self.inputs = inputs
        self.anonymous = anonymous
        self.signature = ABIFunction.canonicalSignature(name, inputs)
        self.topic0 = Keccak.hash256(signature)
    }

    /// `Transfer(address,address,uint256)` (nothing indexed) or the human-readable
    /// `event Transfer(address indexed from, address indexed to, uint256 value)`.
    public init(signature text: String) throws(ABIParseError) {
        var p = ABISignatureParser(text, human: true)
        let s = try p.parseSignature(keyword: "event", allowIndexed: true)
        guard s.outputs == nil, s.modifiers.allSatisfy({ $0 == "anonymous" }) else {
            throw ABIParseError(text: text, offset: p.i, reason: .trailingCharacters)
        }
        self.init(name: s.name, inputs: s.inputs, anonymous: !s.modifiers.isEmpty)
    }

    public var description: String { signature }

    /// The values of all inputs in declaration order. An indexed input of a value type
    /// (integers, address, bool, bytesN) is decoded from its topic; an indexed string,
    /// bytes, array or struct is stored by Solidity as a keccak256 hash, which cannot be
    /// reversed, so its value is that 32-byte topic as `.fixedBytes`.
    public func decodeLog(topics: [Bytes], data: Bytes) throws(ABILogError) -> [ABIValue] {
        let indexedCount = inputs.reduce(0) { $0 + ($1.indexed ? 1 : 0) }
        let first = anonymous ? 0 : 1
        guard topics.count == indexedCount + first else {
            throw .topicCount(expected: indexedCount + first, actual: topics.count)
        }
        for (i, t) in topics.enumerated() where t.count != 32 { throw .topicLength(index: i, count: t.count) }
        if !anonymous, topics[0] != topic0 { throw .wrongTopic0(expected: Hex.encode(topic0), found: Hex.encode(topics[0])) }

        let dataValues: [ABIValue]
        do { dataValues = try ABI.decode(inputs.filter { !$0.indexed }.map(\.type), data) } catch { throw .data(error) }
        var out: [ABIValue] = []
        out.reserveCapacity(inputs.count)
        var nextTopic = first
        var nextData = 0
        for input in inputs {
            if input.indexed {
                let topic = topics[nextTopic]
                if input.type.isValueType {
                    do { out.append(try ABI.decodeWord(input.type, topic)) } catch { throw .topic(index: nextTopic, error) }
                } else {
                    out.append(.fixedBytes(topic))
                }
                nextTopic += 1
            } else {
                out.append(dataValues[nextData])
                nextData += 1
            }
        }
        return out
    }

    /// `decodeLog` keyed by input name (an unnamed input is keyed by its position, "0", "1", …).
    public func decodeLogByName(topics: [Bytes], data: Bytes) throws(ABILogError) -> [String: ABIValue] {
        let values = try decodeLog(topics: topics, data: data)
        var out: [String: ABIValue] = [:]
        for (i, (input, v)) in zip(inputs, values).enumerated() { out[input.name.isEmpty ? String(i) : input.name] = v }
        return out
    }
}
