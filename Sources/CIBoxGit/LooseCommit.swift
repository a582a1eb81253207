// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CLibgit2
import Foundation

/// A commit's tree found without libgit2, for the pre-push gate's quick answer.
///
/// Why: loading libgit2 with its 16 dependent libraries (krb5, OpenSSL, ssh2, mbedtls, …) and opening a
/// repository cost about 6 ms of the 15 ms the whole hook may take for a tree that already passed. A commit
/// that is about to be pushed was almost always just made, so it is a loose object: one small zlib file whose
/// first line names the tree. Anything less plain (a packed object, a linked work tree, a bare repository,
/// `core.worktree`) answers nil, and the caller asks libgit2.
package enum LooseCommit {
    /// The work tree and git folder of the ordinary repository whose work tree root is `folder` (a `.git`
    /// folder inside it), with symbolic links resolved as libgit2 resolves them; nil for any other layout.
    package static func repository(at folder: String) -> (workTree: String, gitDirectory: String)? {
        guard let resolved = realpath(folder, nil) else { return nil }
        let workTree = String(cString: resolved)
        free(resolved)
        let gitDirectory = (workTree == "/" ? "" : workTree) + "/.git"
        var info = stat()
        guard lstat(gitDirectory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        // core.worktree or core.bare move or remove the work tree: libgit2 knows how to read them.
        guard let config = FileReader.contents(atPath: gitDirectory + "/config") else { return nil }
        let text = String(decoding: config, as: UTF8.self).lowercased()
        if text.contains("worktree") || text.contains("bare = true") || text.contains("bare=true") { return nil }
        return (workTree, gitDirectory)
    }

    /// The tree id of `commit` (a full hexadecimal object id) when it is a loose object of `gitDirectory`, else
    /// nil.
    package static func treeID(of commit: String, gitDirectory: String) -> String? {
        guard commit.count == 40 || commit.count == 64, commit.allSatisfy(\.isHexDigit) else { return nil }
        let id = commit.lowercased()
        let path = gitDirectory + "/objects/" + String(id.prefix(2)) + "/" + String(id.dropFirst(2))
        // "commit <size>\0tree <id>\n": 7 + up to 20 digits + 1 + 5 + 64 + 1 bytes at most.
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBufferPointer {
            cibox_git_loose_object_prefix(path, $0.baseAddress, $0.count)
        }
        guard count > 0 else { return nil }
        return treeID(inObjectStart: buffer.prefix(count), idLength: id.count)
    }

    /// The tree id named by the start of an inflated commit object (`commit <size>\0tree <id>\n…`), or nil.
    package static func treeID(inObjectStart bytes: ArraySlice<UInt8>, idLength: Int) -> String? {
        let header = Array("commit ".utf8)
        guard bytes.starts(with: header), let nul = bytes.firstIndex(of: 0) else { return nil }
        let sizeDigits = bytes[bytes.startIndex + header.count..<nul]
        guard !sizeDigits.isEmpty, sizeDigits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let body = bytes[(nul + 1)...]
        let tree = Array("tree ".utf8)
        guard body.starts(with: tree), body.count >= tree.count + idLength + 1 else { return nil }
        let idStart = body.startIndex + tree.count
        let idBytes = body[idStart..<idStart + idLength]
        guard body[idStart + idLength] == 0x0A,
            idBytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return String(decoding: idBytes, as: UTF8.self)
    }
}
