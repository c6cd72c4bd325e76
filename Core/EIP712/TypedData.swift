import Foundation

/// An EIP-712 typed-data document: the `eth_signTypedData_v4` shape (types, primaryType,
/// domain, message), validated and resolved once at construction so hashing only walks values.
///
/// Strictness (documented because wallets differ): every struct member must be present (no
/// implicit zero for a missing/null struct as eth-account does), unknown message fields are
/// refused, fixed-size arrays must have their exact length, `bytesN` values must be exactly N
/// bytes, byte strings must be `0x`-hex, integers are JSON numbers or decimal / `0x`-hex
/// strings within the type's range, booleans are JSON booleans. Everything that is accepted
/// hashes exactly as eth-account and MetaMask's v4 do.
public struct TypedData: Sendable {
    /// Every struct type, including `EIP712Domain` (derived from the domain's fields in the
    /// canonical order name, version, chainId, verifyingContract, salt when the document
    /// did not declare it).
    public let types: [String: EIP712Type]
    public let primaryType: String
    /// A JSON object with the domain's fields.
    public let domain: EIP712Value
    public let message: EIP712Value

    /// Member types parsed once per struct.
    let schema: [String: [(name: String, type: EIP712FieldType)]]
    let typeHashes: [String: Bytes]
    let encodedTypes: [String: String]

    public static let domainTypeName = "EIP712Domain"

    /// The fields an EIP712Domain may have, in the order the canonical domain type lists them.
    public static let domainFields: [EIP712Type.Member] = [
        .init(name: "name", type: "string"),
        .init(name: "version", type: "string"),
        .init(name: "chainId", type: "uint256"),
        .init(name: "verifyingContract", type: "address"),
        .init(name: "salt", type: "bytes32"),
    ]

    public init(types typeList: [EIP712Type], primaryType: String, domain: EIP712Value, message: EIP712Value) throws(EIP712Error) {
        guard case .object(let domainFields) = domain else { throw EIP712Error("domain", .expectedObject) }
        var types: [String: EIP712Type] = [:]
        for t in typeList {
            let path = "types." + t.name
            guard EIP712FieldType.isIdentifier(t.name) else { throw EIP712Error("types", .invalidTypeName(t.name)) }
            guard EIP712FieldType.atomic(t.name) == nil, !EIP712FieldType.looksAtomic(t.name) else { throw EIP712Error(path, .atomicTypeRedefined(t.name)) }
            guard types[t.name] == nil else { throw EIP712Error(path, .invalidTypeName(t.name)) }
            types[t.name] = t
        }
        if types[Self.domainTypeName] == nil {
            for key in domainFields.keys.sorted() where !Self.domainFields.contains(where: { $0.name == key }) {
                throw EIP712Error("domain." + key, .unknownDomainField(key))
            }
            types[Self.domainTypeName] = EIP712Type(
                name: Self.domainTypeName, members: Self.domainFields.filter { domainFields[$0.name] != nil })
        }
        guard primaryType != Self.domainTypeName else { throw EIP712Error("primaryType", .primaryTypeIsDomain) }
        guard types[primaryType] != nil else { throw EIP712Error("primaryType", .undefinedType(primaryType)) }

        let names = Set(types.keys)
        var schema: [String: [(name: String, type: EIP712FieldType)]] = [:]
        for (name, t) in types {
            var seen = Set<String>()
            var members: [(name: String, type: EIP712FieldType)] = []
            for (i, m) in t.members.enumerated() {
                guard EIP712FieldType.isIdentifier(m.name) else {
                    throw EIP712Error("types.\(name)[\(i)]", .invalidMemberName(m.name))
                }
                let path = "types.\(name).\(m.name)"
                guard seen.insert(m.name).inserted else { throw EIP712Error(path, .duplicateMember(m.name)) }
                do { members.append((m.name, try EIP712FieldType(parsing: m.type, structs: names))) } catch {
                    throw EIP712Error(path, error)
                }
            }
            schema[name] = members
        }
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
        self.schema = schema
        var encoded: [String: String] = [:]
        for name in types.keys { encoded[name] = Self.encodeType(name, types: types, schema: schema) }
        self.encodedTypes = encoded
        self.typeHashes = encoded.mapValues { Keccak.hash256($0) }
    }

    /// encodeType: the type's own signature, then every struct it references (transitively,
    /// through arrays) sorted by name.
    static func encodeType(_ name: String, types: [String: EIP712Type],
                           schema: [String: [(name: String, type: EIP712FieldType)]]) -> String {
        var found = Set<String>([name])
        var stack = [name]
        while let next = stack.popLast() {
            for m in schema[next] ?? [] {
                if let s = m.type.structName, found.insert(s).inserted { stack.append(s) }
            }
        }
        found.remove(name)
        // Byte order of the (ASCII identifier) names, as eth-account's and ethers' sorts do.
        let deps = found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return ([name] + deps).map { types[$0]!.signature }.joined()
    }
}

// MARK: - eth_signTypedData_v4 JSON

extension TypedData {
    /// Parses the standard JSON form
    /// `{"types":{…},"primaryType":"…","domain":{…},"message":{…}}`.
    public static func parse(_ data: Data) throws(EIP712Error) -> TypedData {
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw EIP712Error("$", .invalidJSON(error.description)) }
        return try TypedData(json: json)
    }

    public static func parse(_ text: String) throws(EIP712Error) -> TypedData { try parse(Data(text.utf8)) }

    public init(json: JSONValue) throws(EIP712Error) {
        guard case .object(let top) = json else { throw EIP712Error("$", .expectedObject) }
        guard let typesValue = top["types"] else { throw EIP712Error("$", .missingField("types")) }
        guard case .object(let typesObject) = typesValue else { throw EIP712Error("types", .expectedObject) }
        var list: [EIP712Type] = []
        for name in typesObject.keys.sorted() {
            guard case .array(let members) = typesObject[name]! else { throw EIP712Error("types." + name, .expectedArray) }
            var parsed: [EIP712Type.Member] = []
            for (i, m) in members.enumerated() {
                let path = "types.\(name)[\(i)]"
                guard case .object(let o) = m else { throw EIP712Error(path, .expectedObject) }
                guard let n = o["name"] else { throw EIP712Error(path, .missingField("name")) }
                guard case .string(let memberName) = n else { throw EIP712Error(path + ".name", .expectedString) }
                guard let t = o["type"] else { throw EIP712Error(path, .missingField("type")) }
                guard case .string(let memberType) = t else { throw EIP712Error(path + ".type", .expectedString) }
                parsed.append(.init(name: memberName, type: memberType))
            }
            list.append(EIP712Type(name: name, members: parsed))
        }
        guard let p = top["primaryType"] else { throw EIP712Error("$", .missingField("primaryType")) }
        guard case .string(let primary) = p else { throw EIP712Error("primaryType", .expectedString) }
        guard let domain = top["domain"] else { throw EIP712Error("$", .missingField("domain")) }
        guard let message = top["message"] else { throw EIP712Error("$", .missingField("message")) }
        try self.init(types: list, primaryType: primary, domain: domain, message: message)
    }
}
