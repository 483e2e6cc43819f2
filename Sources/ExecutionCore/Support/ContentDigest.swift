/// A 64-bit digest of a file's bytes, for noticing that a file changed since we wrote it (not for
/// security: anyone who can edit the file can also edit the log). Four independent lanes of
/// multiply-and-mix over 8-byte words keep a 3 MB status file under a millisecond.
public enum ContentDigest {
    /// 16 lowercase hex digits.
    public static func of(_ bytes: [UInt8]) -> String {
        let value = bytes.withUnsafeBytes { hash($0) }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static let k0: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let k1: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let k2: UInt64 = 0x1656_67B1_9E37_79F9

    @inline(__always)
    private static func mix(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let x = (lane ^ word) &* k0
        return x ^ (x >> 29)
    }

    /// The final avalanche of MurmurHash3, so every input bit reaches every output bit.
    @inline(__always)
    private static func finish(_ h: UInt64) -> UInt64 {
        var h = h
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    static func hash(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        let count = buffer.count
        var a = k1, b = k2, c = k1 ^ k0, d = k2 ^ k0
        var i = 0
        while i + 32 <= count {
            a = mix(a, buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            b = mix(b, buffer.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            c = mix(c, buffer.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
            d = mix(d, buffer.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
            i += 32
        }
        var h = UInt64(count) &* k0
        h = mix(h, a)
        h = mix(h, (b << 17) | (b >> 47))
        h = mix(h, (c << 31) | (c >> 33))
        h = mix(h, (d << 43) | (d >> 21))
        var tail: UInt64 = 0, shift: UInt64 = 0
        while i < count {
            tail |= UInt64(buffer[i]) << shift
            shift += 8
            i += 1
            if shift == 64 {
                h = mix(h, tail)
                tail = 0
                shift = 0
            }
        }
        return finish(mix(h, tail ^ shift))
    }
}
