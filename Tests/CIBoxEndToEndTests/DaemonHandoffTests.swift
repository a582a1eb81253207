// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `cibox trigger` beside a running daemon hands its pipeline to the daemon.
@Suite(.serialized, .machineSlot) struct DaemonHandoffTests {
    /// A project `app` watched by a daemon (started, its lock taken) on `setup`'s home.
    static func daemonWatching(_ setup: PushSetup) async throws -> Process {
        #expect(try await setup.cli.run(["project", "add", setup.bare, "--name", "app"]).status == 0)
        let daemon = try setup.startDaemon()
        let lock = setup.cli.home.appending("daemon.lock")
        while ((try? String(contentsOfFile: lock, encoding: .utf8)) ?? "").isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        return daemon
    }

    /// The process recorded as running pipeline `id`.
    static func owner(of id: Int, home: String) async throws -> Int? {
        let rows = try await SQLiteShell.rows(home + "/cibox.sqlite", "SELECT ownerPid FROM pipeline WHERE id = \(id)")
        return (rows.first?["ownerPid"] as? NSNumber)?.intValue
    }

    /// Starts `cibox ARGUMENTS` in the background, its standard output and error each kept in a file.
    static func start(_ cli: CLI, _ arguments: [String]) throws -> (Process, CapturedOutput, CapturedOutput) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments + ["--home", cli.home.path]
        let (output, errors) = (try CapturedOutput(), try CapturedOutput())
        process.standardOutput = output.writer
        process.standardError = errors.writer
        try process.run()
        try output.writer.close()
        try errors.writer.close()
        return (process, output, errors)
    }

    @Test(.timeLimit(.minutes(2)))
    func aSecondDaemonOnTheSameHomeIsRefused() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        defer { setup.remove() }
        let daemon = try await Self.daemonWatching(setup)
        try await withCleanup {
            let second = try await setup.cli.run(["daemon"])
            #expect(second.status == 2)
            #expect(
                second.stderr
                    == "error: Another cibox daemon (pid \(daemon.processIdentifier)) runs on '\(setup.cli.home.path)': "
                    + "one daemon per home.\n")
        } cleanup: {
            await daemon.stop()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aTriggerBesideARunningDaemonIsRunByTheDaemon() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        defer { setup.remove() }
        let daemon = try await Self.daemonWatching(setup)
        try await withCleanup {
            let trigger = try await setup.cli.run(["trigger", "app", "--json"])
            #expect(trigger.status == 0, "\(trigger.stderr)")
            #expect(trigger.stderr.contains(", handed to the daemon\n"), "\(trigger.stderr)")
            let help = try await setup.cli.run(["trigger", "--help"]).stdout
            #expect(
                help.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(
                    "With a daemon running on the home, the pipeline is handed to it and followed to its end here."),
                "\(help)")
            let pipeline = try CLI.object(trigger)
            #expect(pipeline.string("status") == "success")
            #expect(pipeline.string("trigger") == "api")
            let id = try #require(pipeline.int("id"))
            #expect(try await Self.owner(of: id, home: setup.cli.home.path) == Int(daemon.processIdentifier))
        } cleanup: {
            await daemon.stop()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aTriggerRunsItsPipelineItselfWhenTheDaemonDiesBeforeTakingIt() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        defer { setup.remove() }
        #expect(try await setup.cli.run(["project", "add", setup.bare, "--name", "app"]).status == 0)
        // A daemon that holds its lock but takes nothing: a process holding the lock as the daemon does (a shell
        // that locks the file on its descriptor 9 with `flock(1)`, then becomes `sleep`: killing it frees the lock
        // and leaves nothing). A real daemon stopped with SIGSTOP could be stopped inside a write transaction, and
        // the trigger would wait on SQLite's busy timeout instead.
        let lock = setup.cli.home.path + "/daemon.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>\"$0\" && flock --exclusive 9 && exec sleep 600", lock]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        while !FileManager.default.fileExists(atPath: lock) || !Self.isLocked(lock) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let database = setup.cli.home.appending("cibox.sqlite")
        let (trigger, output, errors) = try Self.start(setup.cli, ["trigger", "app", "--json"])
        try await withCleanup {
            var offered: [[String: Any]] = []
            let deadline = Date().addingTimeInterval(60)
            while offered.isEmpty, trigger.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
                offered = try await SQLiteShell.rows(database, "SELECT pipelineId FROM pipelineHandoff")
            }
            let early = String(decoding: try errors.contents(), as: UTF8.self)
            try #require(!offered.isEmpty, "\(early)")
            kill(holder.processIdentifier, SIGKILL)
            try await holder.ended()
            try await trigger.ended()
            #expect(trigger.terminationStatus == 0)
            let pipeline = try JSONSerialization.jsonObject(with: output.contents()) as? [String: Any] ?? [:]
            #expect(pipeline.string("status") == "success")
            let id = try #require(pipeline.int("id"))
            #expect(try await Self.owner(of: id, home: setup.cli.home.path) == Int(trigger.processIdentifier))
            let said = String(decoding: try errors.contents(), as: UTF8.self)
            #expect(
                said.contains("\ncibox: the daemon stopped before it took pipeline \(id): running it here\n"), "\(said)"
            )
        } cleanup: {
            kill(holder.processIdentifier, SIGKILL)
            await trigger.stop()
            _ = try? await holder.ended()
        }
    }

    /// Whether another process holds the exclusive `flock` of `path`.
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return true }
        flock(fd, LOCK_UN)
        return false
    }
}
