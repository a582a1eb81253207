// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The file operations cgroups need, so that tests can use an in-memory tree.
///
/// Concurrency: implementations are safe from any thread. Errors carry the path and the system's reason.
package protocol CgroupFileSystem: Sendable {
    /// The file's text.
    func read(_ path: String) throws(CgroupError) -> String
    /// Writes `text` to an existing control file (one write call, as the kernel expects).
    func write(_ text: String, to path: String) throws(CgroupError)
    /// Makes a folder (a new cgroup); succeeds if it exists.
    func makeDirectory(_ path: String) throws(CgroupError)
    /// Removes an empty folder (a cgroup with no processes).
    func removeDirectory(_ path: String) throws(CgroupError)
    /// Whether the path exists.
    func exists(_ path: String) -> Bool
    /// The names of the sub-folders of `path`.
    func subdirectories(_ path: String) -> [String]
}

/// A cgroup operation failed.
package struct CgroupError: Error, CustomStringConvertible, Sendable {
    /// What failed, on what path, and why.
    package var message: String
    /// The errno, when a system call failed.
    package var code: Int32?

    /// Makes an error.
    package init(_ message: String, code: Int32? = nil) {
        self.message = message
        self.code = code
    }

    /// The message.
    package var description: String { message }
}

/// The real `/sys/fs/cgroup` (and `/proc`) through plain system calls.
package struct SystemCgroupFileSystem: CgroupFileSystem {
    /// Makes the real file system.
    package init() {}

    package func read(_ path: String) throws(CgroupError) -> String {
        // Plain reads: /proc and cgroup files say their size is 0, and FileManager's reading of them was a
        // millisecond of every cibox start.
        guard let bytes = FileReader.contents(atPath: path) else {
            throw CgroupError("Cannot read '\(path)': \(String(cString: strerror(errno))).", code: errno)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    package func write(_ text: String, to path: String) throws(CgroupError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CgroupError("Cannot open '\(path)': \(String(cString: strerror(errno))).", code: errno)
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let code = errno
            throw CgroupError("Cannot write '\(text)' to '\(path)': \(String(cString: strerror(code))).", code: code)
        }
    }

    package func makeDirectory(_ path: String) throws(CgroupError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw CgroupError("Cannot create the cgroup '\(path)': \(String(cString: strerror(errno))).", code: errno)
        }
    }

    package func removeDirectory(_ path: String) throws(CgroupError) {
        if rmdir(path) != 0 && errno != ENOENT {
            throw CgroupError("Cannot remove the cgroup '\(path)': \(String(cString: strerror(errno))).", code: errno)
        }
    }

    package func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    package func subdirectories(_ path: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isFolder)
                && isFolder.boolValue
        }.sorted()
    }
}
