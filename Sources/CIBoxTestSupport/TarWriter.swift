// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// One entry of a tar written by ``TarWriter``: names are written exactly as given (`../x` and `/etc/x` too), so
/// tests can craft hostile layers.
package struct TarEntry: Sendable {
    /// What the entry is.
    package enum Kind: Sendable {
        /// A regular file with these bytes.
        case file([UInt8])
        /// A folder.
        case folder
        /// A symbolic link to this target.
        case symlink(String)
        /// A hard link to this earlier entry's name.
        case hardlink(String)
    }

    /// The name in the archive.
    package var name: String
    /// What it is.
    package var kind: Kind
    /// Permission bits.
    package var mode: Int
    /// Owner.
    package var uid: Int
    /// Group.
    package var gid: Int
    /// Extended attributes (written as pax `SCHILY.xattr.` records).
    package var xattrs: [String: String]

    /// Makes an entry (mode 0644 for files, 0755 for folders, 0777 for links unless given).
    package init(
        _ name: String, _ kind: Kind, mode: Int? = nil, uid: Int = 0, gid: Int = 0, xattrs: [String: String] = [:]
    ) {
        self.name = name
        self.kind = kind
        switch kind {
        case .file: self.mode = mode ?? 0o644
        case .folder: self.mode = mode ?? 0o755
        case .symlink, .hardlink: self.mode = mode ?? 0o777
        }
        self.uid = uid
        self.gid = gid
        self.xattrs = xattrs
    }

    /// A file holding `text`.
    package static func file(_ name: String, _ text: String, mode: Int = 0o644, uid: Int = 0, gid: Int = 0) -> TarEntry
    {
        TarEntry(name, .file(Array(text.utf8)), mode: mode, uid: uid, gid: gid)
    }
}

/// Writes tar archives (ustar headers, pax records for long names and extended attributes) in memory.
package enum TarWriter {
    /// The archive of `entries`, in order, ended by two zero blocks.
    package static func archive(_ entries: [TarEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            var records: [(String, String)] = entry.xattrs.sorted { $0.key < $1.key }.map {
                ("SCHILY.xattr." + $0.key, $0.value)
            }
            if entry.name.utf8.count > 100 { records.append(("path", entry.name)) }
            if case .symlink(let target) = entry.kind, target.utf8.count > 100 { records.append(("linkpath", target)) }
            if !records.isEmpty {
                let body = records.map(record).joined()
                bytes += header(name: "PaxHeader", type: "x", size: body.utf8.count, entry: entry, link: "")
                bytes += padded(Array(body.utf8))
            }
            switch entry.kind {
            case .file(let contents):
                bytes += header(name: entry.name, type: "0", size: contents.count, entry: entry, link: "")
                bytes += padded(contents)
            case .folder:
                bytes += header(name: entry.name, type: "5", size: 0, entry: entry, link: "")
            case .symlink(let target):
                bytes += header(name: entry.name, type: "2", size: 0, entry: entry, link: target)
            case .hardlink(let target):
                bytes += header(name: entry.name, type: "1", size: 0, entry: entry, link: target)
            }
        }
        return bytes + [UInt8](repeating: 0, count: 1024)
    }

    /// A pax record: `LENGTH key=value\n`, the length counting itself.
    private static func record(_ pair: (String, String)) -> String {
        let body = " \(pair.0)=\(pair.1)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length += 1 }
        return "\(length)\(body)"
    }

    private static func header(name: String, type: Character, size: Int, entry: TarEntry, link: String) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(entry.mode, at: 100, width: 8)
        octal(entry.uid, at: 108, width: 8)
        octal(entry.gid, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(1_700_000_000, at: 136, width: 12)
        put("        ", at: 148, width: 8)
        block[156] = type.asciiValue ?? 0
        put(link, at: 157, width: 100)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - digits.count) + digits, at: 148, width: 6)
        block[154] = 0
        block[155] = 0x20
        return block
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }
}
