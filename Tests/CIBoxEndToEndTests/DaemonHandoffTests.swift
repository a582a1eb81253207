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

    @Test(.timeLimit(.minutes(2)))
    func aTriggerBesideARunningDaemonIsRunByTheDaemon() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        defer { setup.remove() }
        let daemon = try await Self.daemonWatching(setup)
        try await withCleanup {
            let trigger = try await setup.cli.run(["trigger", "app", "--json"])
            #expect(trigger.status == 0, "\(trigger.stderr)")
            #expect(trigger.stderr.contains(", handed to the daemon\n"), "\(trigger.stderr)")
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
        let daemon = try await Self.daemonWatching(setup)
        let database = setup.cli.home.appending("cibox.sqlite")
        // Stopped, the daemon holds its lock but takes nothing.
        kill(daemon.processIdentifier, SIGSTOP)
        let (trigger, output) = try setup.cli.start(["trigger", "app", "--json"])
        try await withCleanup {
            var offered: [[String: Any]] = []
            while offered.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                offered = try await SQLiteShell.rows(database, "SELECT pipelineId FROM pipelineHandoff")
            }
            kill(daemon.processIdentifier, SIGKILL)
            try await daemon.ended()
            try await trigger.ended()
            #expect(trigger.terminationStatus == 0)
            let pipeline = try JSONSerialization.jsonObject(with: output.contents()) as? [String: Any] ?? [:]
            #expect(pipeline.string("status") == "success")
            let id = try #require(pipeline.int("id"))
            #expect(try await Self.owner(of: id, home: setup.cli.home.path) == Int(trigger.processIdentifier))
        } cleanup: {
            kill(daemon.processIdentifier, SIGKILL)
            await trigger.stop()
        }
    }
}
