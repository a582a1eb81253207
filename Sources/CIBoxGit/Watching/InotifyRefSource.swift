// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Glibc
import Synchronization

/// The inotify side of ``RefWatcher``: one inotify descriptor watching the refs folders and the git folder.
final class InotifyRefSource: Sendable {
    /// The inotify descriptor (non-blocking, close-on-exec).
    let descriptor: Int32
    /// The git folder.
    private let gitDirectory: String
    /// Watch descriptor → watched folder.
    private let watches = Mutex<[Int32: String]>([:])

    /// Events that may mean a ref moved, was made, or went away.
    private static let fileEvents =
        UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM) | UInt32(IN_CLOSE_WRITE)
        | UInt32(IN_DELETE) | UInt32(IN_MODIFY)
    /// The refs folders watched, relative to the git folder.
    private static let roots = ["refs/heads", "refs/tags"]

    /// Starts watching `gitDirectory`; nil when inotify is unavailable (then the watcher polls).
    init?(gitDirectory: String) {
        let fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        descriptor = fd
        self.gitDirectory = gitDirectory
        // The git folder for packed-refs, `refs` for heads/ or tags/ made later, then the trees below.
        guard add(gitDirectory) else {
            Glibc.close(fd)
            return nil
        }
        add(gitDirectory + "/refs")
        for root in Self.roots { addTree(gitDirectory + "/" + root) }
    }

    /// Closes the descriptor (the watching thread calls it when it ends).
    func close() {
        Glibc.close(descriptor)
    }

    /// Reads every pending event; adds watches for new folders under the refs trees.
    ///
    /// - Returns: whether any event may mean that refs moved.
    func readEvents() -> Bool {
        var relevant = false
        let size = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, size)
            guard count > 0 else { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let name = Self.name(in: buffer, from: offset + header, length: min(length, count - offset - header))
                offset += header + length
                if handle(wd: wd, mask: mask, name: name) { relevant = true }
            }
        }
        return relevant
    }

    /// Reacts to one event; returns whether it may mean that refs moved.
    private func handle(wd: Int32, mask: UInt32, name: String) -> Bool {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return true }
        if mask & UInt32(IN_IGNORED) != 0 {
            _ = watches.withLock { $0.removeValue(forKey: wd) }
            return false
        }
        guard let folder = watches.withLock({ $0[wd] }) else { return false }
        let path = folder + "/" + name
        if folder == gitDirectory {
            return name == "packed-refs"
        }
        if folder == gitDirectory + "/refs" {
            guard Self.roots.contains("refs/" + name) else { return false }
            if mask & UInt32(IN_ISDIR) != 0 && mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 {
                addTree(path)
            }
            return true
        }
        if mask & UInt32(IN_ISDIR) != 0 {
            if mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 { addTree(path) }
            return true
        }
        // A ref update writes NAME.lock, then renames it to NAME: the lock file alone moves nothing.
        return !name.hasSuffix(".lock")
    }

    /// Watches `folder` and every folder below it.
    private func addTree(_ folder: String) {
        guard add(folder) else { return }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries {
            var isDirectory: ObjCBool = false
            let path = folder + "/" + entry
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                addTree(path)
            }
        }
    }

    /// Watches one folder; false when it cannot (it does not exist).
    @discardableResult
    private func add(_ folder: String) -> Bool {
        let mask = Self.fileEvents | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)
        let wd = inotify_add_watch(descriptor, folder, mask)
        guard wd >= 0 else { return false }
        watches.withLock { $0[wd] = folder }
        return true
    }

    /// The NUL-padded name following an event header.
    private static func name(in buffer: UnsafeMutableRawBufferPointer, from start: Int, length: Int) -> String {
        guard length > 0 else { return "" }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)])
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
