/// EIP-712 encoding of a resolved `TypedData`: encodeType, typeHash, encodeData, hashStruct,
/// the domain separator and the signing digest.
extension TypedData {
    /// `encodeType(name)`, e.g. `Mail(Person from,Person to,string contents)Person(string name,address wallet)`.
    public func encodeType(_ name: String) throws(EIP712Error) -> String {
        guard let s = encodedTypes[name] else { throw EIP712Error("types", .undefinedType(name)) }
        return s
    }

    /// keccak256(encodeType(name)).
    public func typeHash(_ name: String) throws(EIP712Error) -> Bytes {
        guard let h = typeHashes[name] else { throw EIP712Error("types", .undefinedType(name)) }
        return h
    }

    /// `typeHash ‖ enc(member₁) ‖ … ‖ enc(memberₙ)`, every part one 32-byte word. `path`
    /// names the value in error messages.
    public func encodeData(_ typeName: String, _ value: EIP712Value, path: String = "message") throws(EIP712Error) -> Bytes {
        guard let members = schema[typeName], let typeHash = typeHashes[typeName] else {
            throw EIP712Error(path, .undefinedType(typeName))
        }
        guard case .object(let fields) = value else { throw EIP712Error(path, .expectedObject) }
        if fields.count != members.count || members.contains(where: { fields[$0.name] == nil }) {
            for m in members where fields[m.name] == nil { throw EIP712Error(path, .missingField(m.name)) }
            for key in fields.keys.sorted() where !members.contains(where: { $0.name == key }) {
                throw EIP712Error(path + "." + key, .unknownField(key))
            }
        }
        var out = Bytes()
        out.reserveCapacity(32 * (members.count + 1))
        out += typeHash
        for m in members {
            try encodeField(m.type, fields[m.name]!, path: path + "." + m.name, into: &out)
        }
        return out
    }

    /// hashStruct(s) = keccak256(encodeData(s)).
    public func hashStruct(_ typeName: String, _ value: EIP712Value, path: String = "message") throws(EIP712Error) -> Bytes {
        Keccak.hash256(try encodeData(typeName, value, path: path))
    }

    /// hashStruct(domain) over the EIP712Domain type.
    public func domainSeparator() throws(EIP712Error) -> Bytes {
        try hashStruct(Self.domainTypeName, domain, path: "domain")
    }

    /// hashStruct(message) over the primary type.
    public func messageHash() throws(EIP712Error) -> Bytes {
        try hashStruct(primaryType, message, path: "message")
    }

    /// keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)): what is signed.
    public func digest() throws(EIP712Error) -> Bytes {
        EIP712.digest(domainSeparator: try domainSeparator(), structHash: try messageHash())
    }

    /// Appends one member's 32-byte encoding.
    func encodeField(_ type: EIP712FieldType, _ value: EIP712Value, path: String, into out: inout Bytes) throws(EIP712Error) {
        switch type {
        case .structure(let name):
            out += Keccak.hash256(try encodeData(name, value, path: path))
        case .array(let element, let length):
            guard case .array(let items) = value else { throw EIP712Error(path, .expectedArray) }
            if let length, items.count != length {
                throw EIP712Error(path, .wrongArrayLength(expected: length, actual: items.count))
            }
            // An array is keccak256 of its elements' encodings concatenated (nested arrays and
            // structs contribute their own 32-byte hashes).
            var inner = Bytes()
            inner.reserveCapacity(32 * items.count)
            for (i, item) in items.enumerated() {
                try encodeField(element, item, path: "\(path)[\(i)]", into: &inner)
            }
            out += Keccak.hash256(inner)
        default:
            do { try EIP712Atomic.encode(type, value, into: &out) } catch { throw EIP712Error(path, error) }
        }
    }
}
