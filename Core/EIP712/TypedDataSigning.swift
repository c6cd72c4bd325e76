/// Signing and signer recovery of typed data with secp256k1 (RFC 6979, low-s, v ∈ {27, 28}
/// in the 65-byte r‖s‖v form, as eth_signTypedData_v4 returns).
extension TypedData {
    public enum SigningError: Error, Equatable, CustomStringConvertible {
        case typedData(EIP712Error)
        case secp256k1(Secp256k1.Error)

        public var description: String {
            switch self {
            case .typedData(let e): return "typed data: \(e)"
            case .secp256k1(let e): return "signature: \(e)"
            }
        }
    }

    public func sign(with key: PrivateKey) throws(SigningError) -> Signature {
        let d: Bytes
        do { d = try digest() } catch { throw .typedData(error) }
        do { return try Secp256k1.sign(digest: d, key: key) } catch { throw .secp256k1(error) }
    }

    /// The address whose key produced `signature` over this document's digest.
    public func recoverSigner(_ signature: Signature) throws(SigningError) -> Address {
        let d: Bytes
        do { d = try digest() } catch { throw .typedData(error) }
        do { return try Secp256k1.recover(digest: d, signature: signature).address } catch { throw .secp256k1(error) }
    }

    /// Same, from the 65-byte r‖s‖v form.
    public func recoverSigner(rsv: Bytes) throws(SigningError) -> Address {
        let d: Bytes
        do { d = try digest() } catch { throw .typedData(error) }
        do { return try Secp256k1.recoverAddress(digest: d, rsv: rsv) } catch { throw .secp256k1(error) }
    }
}
