// cibox — CI in a box. MIT licence, see LICENSE.

/// This process's mount table (`/proc/self/mountinfo`).
package enum MountTable {
    /// The mount points under `folder` in this process's mount namespace (what a job left mounted).
    package static func mounts(under folder: String) -> [String] {
        let text = String(decoding: FileReader.contents(atPath: "/proc/self/mountinfo") ?? [], as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = Self.unescapedMountPoint(String(fields[4]))
            return Paths.isInside(point, root: folder) ? point : nil
        }
    }

    /// A mount point as `mountinfo` writes it (`\040` for a space, …).
    static func unescapedMountPoint(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
