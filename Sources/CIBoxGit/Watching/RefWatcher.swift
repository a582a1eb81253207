// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Glibc
import Synchronization

/// Watches a repository's references and says when they may have moved.
///
/// With inotify (the default on Linux) it watches `refs/heads`, `refs/tags`, every folder below them (new
/// ones as they appear) and the git folder itself for `packed-refs`; events are debounced so that one push
/// gives one tick. Where inotify is unavailable (or turned off) it polls the same files' metadata at a
/// settable interval.
///
/// A tick means only "refs may have moved": the consumer reads `GitRepository.references()` and diffs it
/// with the refs it last saw (``RefChanges/between(old:new:)``). Subscribe with ``changes()`` *before*
/// reading the references the first time, so that no move falls between the read and the subscription.
///
/// The watching runs on a dedicated thread (poll(2) on the inotify descriptor and a wake pipe), started by
/// the initializer and ended by ``stop()`` (or when the watcher is released).
package final class RefWatcher: Sendable {
    /// How a watcher notices changes.
    package enum Mode: Sendable, Equatable {
        /// inotify events.
        case inotify
        /// Comparing the refs files' metadata at an interval.
        case polling(Duration)
    }

    /// The git folder watched (the `.git` folder, or the bare repository); for a linked work tree, the main
    /// repository's git folder (its `commondir`), where branches and tags live.
    package let gitDirectory: String
    /// How this watcher notices changes (polling when inotify was asked for but is unavailable).
    package let mode: Mode

    /// The wake pipe: the thread polls `wakeRead`; ``stop()`` writes to `wakeWrite`.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// The subscribers and whether the watcher has stopped.
    private let state = Mutex(State())

    private struct State {
        var subscribers: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    /// Starts watching `gitDirectory`.
    ///
    /// - Parameters:
    ///   - gitDirectory: the repository's git folder (`GitRepository.gitDirectory`).
    ///   - usesInotify: watch with inotify when available; false always polls.
    ///   - pollingInterval: how often the polling fallback looks.
    ///   - debounce: how long after the last inotify event a tick is sent.
    /// - Throws: `GitError` `.invalidArgument` when `gitDirectory` is not a folder, `.libgit2` when no wake
    ///   pipe can be made.
    package init(
        gitDirectory: String, usesInotify: Bool = true, pollingInterval: Duration = .seconds(1),
        debounce: Duration = .milliseconds(20)
    ) throws(GitError) {
        let gitDirectory = Self.commonDirectory(of: gitDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gitDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw GitError(.invalidArgument, "Cannot watch '\(gitDirectory)': it is not a git folder.")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw GitError(
                .libgit2, "Cannot watch '\(gitDirectory)': no wake pipe (\(String(cString: strerror(errno)))).")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        self.gitDirectory = gitDirectory
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let source = usesInotify ? InotifyRefSource(gitDirectory: gitDirectory) : nil
        mode = source == nil ? .polling(pollingInterval) : .inotify
        let loop = WatchLoop(
            gitDirectory: gitDirectory, inotify: source, wakeFD: fds[0], pollingInterval: pollingInterval,
            debounce: debounce)
        let thread = Thread { [weak self] in
            loop.run { self?.tick() ?? false }
            source?.close()
        }
        thread.name = "cibox-ref-watcher"
        thread.start()
    }

    deinit {
        stop()
        Glibc.close(wakeWrite)
    }

    /// A stream that yields once (soon) after the refs may have moved; it ends when the watcher stops.
    ///
    /// Ticks that come while the consumer is busy are merged into one. Each call makes a new subscriber.
    package func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.stopped else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Stops watching: the thread ends and every stream from ``changes()`` finishes. Safe to call twice.
    package func stop() {
        let subscribers: [AsyncStream<Void>.Continuation]? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        guard let subscribers else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
        subscribers.forEach { $0.finish() }
    }

    /// The folder holding `gitDirectory`'s refs: the one its `commondir` file names (linked work trees), else itself.
    static func commonDirectory(of gitDirectory: String) -> String {
        guard let text = try? String(contentsOfFile: gitDirectory + "/commondir", encoding: .utf8) else {
            return gitDirectory
        }
        let named = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !named.isEmpty else { return gitDirectory }
        let path = named.hasPrefix("/") ? named : gitDirectory + "/" + named
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Sends a tick to every subscriber; false once stopped (the loop then ends).
    private func tick() -> Bool {
        state.withLock { state in
            guard !state.stopped else { return false }
            for continuation in state.subscribers.values { continuation.yield() }
            return true
        }
    }
}

/// The watching thread's loop: waits on inotify (or a timer) and the wake pipe.
private struct WatchLoop: Sendable {
    let gitDirectory: String
    let inotify: InotifyRefSource?
    let wakeFD: Int32
    let pollingInterval: Duration
    let debounce: Duration

    /// Runs until the wake pipe is written to or `tick` returns false; closes the wake pipe's read end.
    func run(tick: () -> Bool) {
        defer { close(wakeFD) }
        if let inotify {
            watch(inotify, tick: tick)
        } else {
            pollFiles(tick: tick)
        }
    }

    /// inotify mode: collects events, and ticks `debounce` after the last one.
    private func watch(_ source: InotifyRefSource, tick: () -> Bool) {
        var deadline: ContinuousClock.Instant?
        while true {
            let timeout = deadline.map { Self.milliseconds(until: $0) } ?? -1
            var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            fds.append(pollfd(fd: source.descriptor, events: Int16(POLLIN), revents: 0))
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { return }
            if fds[1].revents != 0, source.readEvents() {
                deadline = ContinuousClock.now.advanced(by: debounce)
            }
            if let due = deadline, ContinuousClock.now >= due {
                deadline = nil
                guard tick() else { return }
            }
        }
    }

    /// Polling mode: compares the refs files' metadata every `pollingInterval`.
    private func pollFiles(tick: () -> Bool) {
        var last = RefFingerprint.current(gitDirectory: gitDirectory)
        let interval = Int32(
            clamping: pollingInterval.components.seconds * 1000 + pollingInterval.components.attoseconds
                / 1_000_000_000_000_000)
        while true {
            var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, max(interval, 1))
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 { return }
            let now = RefFingerprint.current(gitDirectory: gitDirectory)
            if now != last {
                last = now
                guard tick() else { return }
            }
        }
    }

    /// Milliseconds from now to `deadline`, rounded up, at least 0.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: deadline)
        let (seconds, attoseconds) = left.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
