// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The users and groups of an image, read from its own `/etc/passwd` and `/etc/group` (never this machine's): who
/// `user:` (or the image's `User`) names, with its home and supplementary groups.
struct ImageUsers {
    /// A user as a container's process runs.
    struct Account: Equatable {
        var uid: UInt32
        var gid: UInt32
        var groups: [UInt32]
        var home: String
        var name: String?
    }

    private struct PasswdEntry {
        var name: String
        var uid: UInt32
        var gid: UInt32
        var home: String
    }

    private let users: [PasswdEntry]
    private let groups: [(name: String, gid: UInt32, members: [String])]

    /// The users of the root at `root` (missing files: no names, numbers only).
    init(root: String) {
        self.init(passwd: Self.regularFile(root + "/etc/passwd"), group: Self.regularFile(root + "/etc/group"))
    }

    /// The text of the regular file at `path`; empty when it is missing or anything else (a link could point out of
    /// the image, to this machine's files).
    private static func regularFile(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return "" }
        return String(decoding: FileReader.contents(atPath: path) ?? [], as: UTF8.self)
    }

    /// The users of these files' texts.
    init(passwd: String, group: String) {
        users = passwd.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 6, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return PasswdEntry(name: String(fields[0]), uid: uid, gid: gid, home: String(fields[5]))
        }
        groups = group.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, let gid = UInt32(fields[2]) else { return nil }
            return (String(fields[0]), gid, fields[3].split(separator: ",").map(String.init))
        }
    }

    /// The account `spec` names: `name`, `uid`, `name:group`, `uid:gid` (empty: root), as Docker reads `User`.
    /// - Throws: ``ExecutorError`` `spawnFailed` naming the user or group the image does not have.
    func account(_ spec: String, image: String) throws(ExecutorError) -> Account {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let userPart = parts.first ?? ""
        let entry: PasswdEntry?
        let uid: UInt32
        if userPart.isEmpty {
            entry = users.first { $0.uid == 0 }
            uid = 0
        } else if let number = UInt32(userPart) {
            entry = users.first { $0.uid == number }
            uid = number
        } else if let named = users.first(where: { $0.name == userPart }) {
            entry = named
            uid = named.uid
        } else {
            throw ExecutorError(
                .spawnFailed,
                "The image '\(image)' has no user '\(userPart)' in its /etc/passwd. Use a user the image has, or a "
                    + "number (user: \"1000:1000\").")
        }
        var gid = entry?.gid ?? 0
        if parts.count == 2 {
            if let number = UInt32(parts[1]) {
                gid = number
            } else if let group = groups.first(where: { $0.name == parts[1] }) {
                gid = group.gid
            } else {
                throw ExecutorError(
                    .spawnFailed,
                    "The image '\(image)' has no group '\(parts[1])' in its /etc/group. Use a group the image has, or "
                        + "a number.")
            }
        }
        var supplementary = [gid]
        if let name = entry?.name {
            for group in groups where group.members.contains(name) && !supplementary.contains(group.gid) {
                supplementary.append(group.gid)
            }
        }
        let home = entry.map(\.home).flatMap { $0.isEmpty ? nil : $0 } ?? (uid == 0 ? "/root" : "/")
        return Account(uid: uid, gid: gid, groups: supplementary, home: home, name: entry?.name)
    }
}
