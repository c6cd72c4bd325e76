import CSecp256k1

/// A secp256k1 public key, kept as the 64-byte x‖y of its uncompressed form (what an
/// Ethereum address hashes). Only points on the curve can be constructed.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// x‖y, 64 bytes.
    public let xy: Bytes

    init(point: inout secp256k1_pubkey) {
        var out = Bytes(repeating: 0, count: 65)
        var len = 65
        _ = secp256k1_ec_pubkey_serialize(Secp256k1.context, &out, &len, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
        xy = Array(out[1...])
    }

    /// Parses a 33-byte compressed, 65-byte uncompressed (0x04‖x‖y) or 64-byte x‖y key.
    public init(bytes: Bytes) throws(Secp256k1.Error) {
        guard bytes.count == 33 || bytes.count == 64 || bytes.count == 65 else { throw .invalidPublicKey }
        let input = bytes.count == 64 ? [0x04] + bytes : bytes
        var pub = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Secp256k1.context, &pub, input, input.count) == 1 else { throw .invalidPublicKey }
        self.init(point: &pub)
    }

    /// 0x04‖x‖y, 65 bytes (SEC 1 uncompressed).
    public var uncompressed: Bytes { [0x04] + xy }

    /// 0x02/0x03‖x, 33 bytes (SEC 1 compressed): the prefix is the parity of y.
    public var compressed: Bytes { [0x02 | (xy[63] & 1)] + xy[0..<32] }

    public var address: Address { Address(publicKey64: xy) }

    public var description: String { Hex.encode(compressed) }

    func parse(into pub: inout secp256k1_pubkey) -> Bool {
        let full = uncompressed
        return secp256k1_ec_pubkey_parse(Secp256k1.context, &pub, full, full.count) == 1
    }
}
