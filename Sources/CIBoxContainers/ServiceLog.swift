// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The log of a service container: what its process writes goes through a pipe, secrets masked, to
/// `<the job's log folder>/containers/<name>.log`. One thread per log reads until every writer is gone.
final class ServiceLog: Sendable {
    /// The pipe end the service writes to (closed by ``close()`` once the service has it).
    let writeEnd: Int32
    private let readEnd: Int32
    private let file: Int32
    private let done = DispatchSemaphore(value: 0)
    private let ending = Ending()

    /// cibox's notes for the end of the log, written once the service's output is all in.
    private final class Ending: Sendable {
        let state = Mutex((finished: false, notes: [String]()))
    }

    /// Opens the log at `path` (its folder made) and the pipe to it.
    /// - Throws: ``ExecutorError`` `io` naming the file.
    init(path: String, secrets: [String]) throws(ExecutorError) {
        do {
            try Folders.make(Paths.parent(path), mode: 0o700)
        } catch {
            throw ExecutorError(.io, "Cannot make '\(Paths.parent(path))': \(error.localizedDescription)", cause: error)
        }
        file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        var fds: [Int32] = [-1, -1]
        guard file >= 0, pipe(&fds) == 0 else {
            throw ExecutorError(.io, "Cannot write the service log '\(path)': \(String(cString: strerror(errno))).")
        }
        // cibox's spawns close every descriptor but the ones they pass, so close-on-exec set now is enough.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        readEnd = fds[0]
        writeEnd = fds[1]
        let (readEnd, file, done, ending) = (readEnd, file, done, ending)
        let thread = Thread {
            var masker = SecretMasker(secrets)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                if var active = masker {
                    Self.write(active.process(buffer[0..<count]), to: file)
                    masker = active
                } else {
                    Self.write(Array(buffer[0..<count]), to: file)
                }
            }
            if let rest = masker?.flush() { Self.write(rest, to: file) }
            let notes = ending.state.withLock { state in
                state.finished = true
                return state.notes
            }
            for note in notes { Self.write(Array(note.utf8), to: file) }
            Glibc.close(readEnd)
            done.signal()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    deinit {
        Glibc.close(file)
    }

    /// Appends cibox's own `line` to the log, after everything the service wrote (now if that is all in).
    func note(_ line: String) {
        let now = ending.state.withLock { state in
            if !state.finished { state.notes.append(line) }
            return state.finished
        }
        if now { Self.write(Array(line.utf8), to: file) }
    }

    /// Closes cibox's copy of the writing end (the service keeps its own).
    func closeWriter() {
        Glibc.close(writeEnd)
    }

    /// Waits (up to `seconds`) until everything the service wrote is in the file.
    func finish(seconds: Int = 5) {
        _ = done.wait(timeout: .now() + .seconds(seconds))
    }

    private static func write(_ bytes: [UInt8], to file: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { Glibc.write(file, $0 + offset, raw.count - offset) } ?? 0
            }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
