import Core

/// Reading and writing the genesis file: JSON with addresses EIP-55 checksummed and amounts
/// as decimal strings. Unknown keys are refused (a typo in a role list must not silently
/// yield a chain without verifiers).
extension Genesis {
    public enum FileError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let m): return "invalid genesis: \(m)" }
        }
    }

    public static func parse(_ json: JSONValue) throws(FileError) -> Genesis {
        guard let o = json.objectValue else { throw .invalid("not a JSON object") }
        let known: Set = ["chainId", "rollup", "signer", "timestamp", "roles", "params"]
        for k in o.keys where !known.contains(k) { throw .invalid("unknown key \"\(k)\"") }
        func address(_ v: JSONValue?, _ path: String) throws(FileError) -> Address {
            guard let s = v?.stringValue else { throw .invalid("\(path): missing or not a string") }
            do { return try Address(s) } catch { throw .invalid("\(path): \(error)") }
        }
        func uint(_ v: JSONValue?, _ path: String) throws(FileError) -> UInt256 {
            let text: String
            switch v {
            case .string(let s)?: text = s
            case .number(let n)?: text = n
            default: throw .invalid("\(path): missing or not a number")
            }
            do { return try UInt256(parsing: text) } catch { throw .invalid("\(path): \(error)") }
        }
        func addresses(_ v: JSONValue?, _ path: String) throws(FileError) -> Set<Address> {
            guard let list = v?.arrayValue else { throw .invalid("\(path): missing or not an array") }
            var out: Set<Address> = []
            for (i, item) in list.enumerated() { out.insert(try address(item, "\(path)[\(i)]")) }
            return out
        }
        guard let roles = o["roles"]?.objectValue else { throw .invalid("roles: missing or not an object") }
        for k in roles.keys where !["verifiers", "splitters", "aggregators"].contains(k) { throw .invalid("roles: unknown key \"\(k)\"") }
        guard let ts = try uint(o["timestamp"], "timestamp").uint64 else { throw .invalid("timestamp: too large") }
        var params = ChainParams()
        if let p = o["params"] {
            guard let po = p.objectValue else { throw .invalid("params: not an object") }
            for (k, v) in po {
                guard let n = try uint(v, "params.\(k)").uint64 else { throw .invalid("params.\(k): too large") }
                switch k {
                case "rateDenominator": params.rateDenominator = n
                case "verifierFeeRate": params.verifierFeeRate = n
                case "nodeDepositRate": params.nodeDepositRate = n
                case "declinePenaltyRate": params.declinePenaltyRate = n
                case "timeoutPenaltyRate": params.timeoutPenaltyRate = n
                case "failedPenaltyRate": params.failedPenaltyRate = n
                case "maxSplitChildren": params.maxSplitChildren = Int(min(n, 4_096))
                case "minFuelPrice": params.minFuelPrice = UInt256(n)
                default: throw .invalid("params: unknown key \"\(k)\"")
                }
            }
            guard params.rateDenominator > 0 else { throw .invalid("params.rateDenominator must be positive") }
            // Penalties and the verifier fee are paid out of the node deposit on Reject.
            guard params.failedPenaltyRate + params.verifierFeeRate <= params.nodeDepositRate + params.verifierFeeRate,
                  params.declinePenaltyRate <= params.nodeDepositRate, params.timeoutPenaltyRate <= params.nodeDepositRate else {
                throw .invalid("params: penalties exceed the node deposit")
            }
        }
        return Genesis(chainId: try uint(o["chainId"], "chainId"), rollup: try address(o["rollup"], "rollup"),
                       signer: try address(o["signer"], "signer"), timestamp: ts,
                       roles: Roles(verifiers: try addresses(roles["verifiers"], "roles.verifiers"),
                                    splitters: try addresses(roles["splitters"], "roles.splitters"),
                                    aggregators: try addresses(roles["aggregators"], "roles.aggregators")),
                       params: params)
    }

    /// Canonical JSON (sorted keys and role lists): what `genesisHash` is computed over.
    public var json: JSONValue {
        func list(_ s: Set<Address>) -> JSONValue { .array(s.sorted().map { .string($0.checksummed) }) }
        let p = params
        var fields: [String: JSONValue] = [
            "rateDenominator": .string(String(p.rateDenominator)), "verifierFeeRate": .string(String(p.verifierFeeRate)),
            "nodeDepositRate": .string(String(p.nodeDepositRate)), "declinePenaltyRate": .string(String(p.declinePenaltyRate)),
            "timeoutPenaltyRate": .string(String(p.timeoutPenaltyRate)), "failedPenaltyRate": .string(String(p.failedPenaltyRate)),
            "maxSplitChildren": .string(String(p.maxSplitChildren)),
        ]
        // Only when set, so the hash of every genesis written before the parameter existed stays.
        if !p.minFuelPrice.isZero { fields["minFuelPrice"] = .string(p.minFuelPrice.description) }
        return .object([
            "chainId": .string(chainId.description), "rollup": .string(rollup.checksummed),
            "signer": .string(signer.checksummed), "timestamp": .string(String(timestamp)),
            "roles": .object(["verifiers": list(roles.verifiers), "splitters": list(roles.splitters),
                              "aggregators": list(roles.aggregators)]),
            "params": .object(fields),
        ])
    }

    /// keccak256 of the canonical JSON: names the chain's rules in `emeth_chainInfo`.
    public var hash: Hash32 { Hash32(unchecked: Keccak.hash256(json.serialized)) }
}
