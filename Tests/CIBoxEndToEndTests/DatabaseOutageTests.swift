// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

/// A database that cannot be written for a while (issue 19): what the pipeline could not record is written again
/// once it can be, and the pipeline ends recorded as it ran, by the same cibox (no restart, no recovery).
@Suite(.serialized, .machineSlot) struct DatabaseOutageTests {
    /// A flag one task sets and another reads.
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// Keeps the disk of `folder` full (a file grown whenever space appears) until `stop` is set, then removes it.
    static func fill(_ folder: String, until stop: Flag) async {
        let path = folder + "/filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let chunk = [UInt8](repeating: 0x2E, count: 4096)
        while !stop.value.load(ordering: .relaxed) {
            while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
            try? await Task.sleep(for: .milliseconds(5))
        }
        close(fd)
        unlink(path)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs as the state folder"))
    func aPipelineEndsRecordedOnceTheDiskHasRoomAgainWithoutARestart() async throws {
        let disk: SmallDisk
        do { disk = try await SmallDisk(megabytes: 32) } catch { try Test.cancel("\(error)") }
        try await withCleanup {
            let repository = try await Repositories.with(
                config: """
                    version: 2.1
                    jobs:
                      quiet:
                        steps:
                          - run: sleep 2
                    workflows:
                      w:
                        jobs: [quiet]
                    """)
            defer { repository.remove() }
            let home = disk.path
            let cibox: @Sendable ([String]) async throws -> ProcessOutput = { arguments in
                try await ProcessRunner.run(CLI.binary, arguments + ["--home", home])
            }
            #expect(try await cibox(["pipelines"]).status == 0, "the store is made")
            async let running = cibox(["run", repository.path, "--json"])
            // While the job runs, the disk fills (the reserve used up already) and stays full for 5 s.
            try await Task.sleep(for: .milliseconds(800))
            unlink(home + "/.reserve")
            let stop = Flag()
            async let filling: Void = Self.fill(home, until: stop)
            try await Task.sleep(for: .seconds(5))
            stop.value.store(true, ordering: .relaxed)
            await filling
            let run = try await running

            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                run.stderr.contains("cibox: warning: the database could not be written for a while ("),
                "\(run.stderr)")
            #expect(run.stderr.contains("the pipeline was recorded when it could be again"))
            let shown = try CLI.object(try await cibox(["show", "1", "--json"]))
            #expect(shown.string("status") == "success", "recorded as it ran")
            let job = shown.objects("workflows").first?.objects("jobs").first
            #expect(job?.string("status") == "success")
            #expect(job?.objects("steps").first?.string("status") == "success")
            #expect(try await SQLiteShell.integrityCheck(home + "/cibox.sqlite") == "ok")
        } cleanup: {
            await disk.unmount()
        }
    }
}
