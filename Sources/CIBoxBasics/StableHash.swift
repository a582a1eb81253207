// cibox — CI in a box. MIT licence, see LICENSE.

/// A stable 128-bit content hash (two FNV-1a 64 lanes with different offsets), as 32 hex digits.
///
/// Used to recognise identical compiled plans across runs and processes. It is not a cryptographic hash:
/// nothing here defends against a chosen collision, only against accidental ones.
package enum StableHash {
    /// The hash of `bytes`.
    package static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        let prime: UInt64 = 0x0000_0100_0000_01B3
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* prime
            second = (second ^ UInt64(byte ^ 0x5A)) &* prime
        }
        return hex64(first) + hex64(second)
    }

    /// The hash of `text`'s UTF-8 bytes.
    package static func hex(of text: String) -> String {
        hex(of: text.utf8)
    }

    private static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
