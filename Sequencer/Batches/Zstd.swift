import CZstd
import Core

/// zstd compression of batch data (docs/PROTOCOL.md §7). Decompression is bounded: batch data comes
/// from L1 calldata that anyone can post, so a small input must not be allowed to claim a
/// huge output and exhaust memory.
public enum Zstd {
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case compressionFailed(String)
        case decompressionFailed(String)
        case unknownSize
        case tooLarge(declared: UInt64, limit: Int)
        case sizeMismatch(declared: UInt64, actual: Int)

        public var description: String {
            switch self {
            case .compressionFailed(let m): return "zstd compression failed: \(m)"
            case .decompressionFailed(let m): return "zstd decompression failed: \(m)"
            case .unknownSize: return "zstd frame does not declare its content size"
            case .tooLarge(let d, let l): return "zstd frame declares \(d) bytes, more than the limit of \(l)"
            case .sizeMismatch(let d, let a): return "zstd frame declares \(d) bytes but holds \(a)"
            }
        }
    }

    /// The most bytes zstd can turn `size` input bytes into, whatever they hold (its
    /// `ZSTD_compressBound`): incompressible data grows a little, never more than this.
    public static func bound(_ size: Int) -> Int { ZSTD_compressBound(size) }

    /// One frame with its content size and a content checksum, so corruption is caught by
    /// zstd itself before anything tries to parse the output.
    public static func compress(_ input: Bytes, level: Int32 = 19) throws(Error) -> Bytes {
        let bound = ZSTD_compressBound(input.count)
        var out = Bytes(repeating: 0, count: bound)
        guard let ctx = ZSTD_createCCtx() else { throw .compressionFailed("out of memory") }
        defer { ZSTD_freeCCtx(ctx) }
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, 1)
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                ZSTD_compress2(ctx, dst.baseAddress, bound, src.baseAddress, input.count)
            }
        }
        if ZSTD_isError(n) != 0 { throw .compressionFailed(String(cString: ZSTD_getErrorName(n))) }
        out.removeLast(bound - n)
        return out
    }

    /// Whether `compress(input, level:)` is longer than `limit` bytes, found without
    /// compressing more of `input` than it takes to know: the same frame (same parameters, the
    /// whole input given at once, ended at once) comes out of the streaming interface a piece
    /// at a time and is counted as it comes; once the count passes `limit` the frame can only
    /// grow. The batch poster asks this of every candidate too large to post, which a whole
    /// backlog's compression at level 19 made most of a busy sequencer's CPU.
    public static func compressedSize(of input: Bytes, exceeds limit: Int, level: Int32 = 19) throws(Error) -> Bool {
        guard let ctx = ZSTD_createCCtx() else { throw .compressionFailed("out of memory") }
        defer { ZSTD_freeCCtx(ctx) }
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, 1)
        ZSTD_CCtx_setPledgedSrcSize(ctx, UInt64(input.count))
        var piece = Bytes(repeating: 0, count: 1 << 14)
        var total = 0
        let failure: Int? = input.withUnsafeBytes { src -> Int? in
            var inBuffer = ZSTD_inBuffer(src: src.baseAddress, size: input.count, pos: 0)
            while true {
                let (left, produced) = piece.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var outBuffer = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_compressStream2(ctx, &outBuffer, &inBuffer, ZSTD_e_end)
                    return (r, outBuffer.pos)
                }
                if ZSTD_isError(left) != 0 { return left }
                total += produced
                if total > limit || left == 0 { return nil }
            }
        }
        if let failure { throw .compressionFailed(String(cString: ZSTD_getErrorName(failure))) }
        return total > limit
    }

    /// Decompresses one frame that declares its size (ours always do), refusing more than
    /// `maxSize` bytes.
    public static func decompress(_ input: Bytes, maxSize: Int) throws(Error) -> Bytes {
        let declared = input.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, input.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN = 0ULL - 1, ZSTD_CONTENTSIZE_ERROR = 0ULL - 2
        if declared == UInt64.max - 1 { throw .decompressionFailed("not a zstd frame") }
        if declared == UInt64.max { throw .unknownSize }
        guard declared <= UInt64(maxSize) else { throw .tooLarge(declared: declared, limit: maxSize) }
        var out = Bytes(repeating: 0, count: Int(declared))
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                ZSTD_decompress(dst.baseAddress, Int(declared), src.baseAddress, input.count)
            }
        }
        if ZSTD_isError(n) != 0 { throw .decompressionFailed(String(cString: ZSTD_getErrorName(n))) }
        guard n == Int(declared) else { throw .sizeMismatch(declared: declared, actual: n) }
        return out
    }
}
