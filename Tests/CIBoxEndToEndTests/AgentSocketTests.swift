// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Many job agents starting and ending at once: one agent's connection must never touch another's socket.
///
/// A job's connection used to shut its socket down after its reader had closed it at the agent's exit; by then the
/// descriptor's number could belong to the next job's new socket, whose agent then read the end of its setup and
/// exited (the job failed as `infrastructure`: "The job agent went away"). With 200 jobs of a tenth of a core on two
/// cores, one failed in two runs out of three.
@Suite(.serialized, .machineSlot) struct AgentSocketTests {
    @Test func twoHundredTinyJobsAllGetTheirAgent() async throws {
        let count = 200
        let jobs = (0..<count).map { "  j\($0):\n    resource_class: tiny\n    steps:\n      - run: \"true\"\n" }
        let names = (0..<count).map { "j\($0)" }.joined(separator: ", ")
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n\(jobs.joined())workflows:\n  w:\n    jobs: [\(names)]\n")
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("resource_classes:\n  tiny: { cpus: 0.1, memory: 64MiB }\n", to: "settings.yml")
        for _ in 0..<2 {
            let run = try await cli.run(["run", repo.path, "--json"])
            let pipeline = try CLI.object(run)
            let failed = pipeline.objects("workflows").flatMap { $0.objects("jobs") }
                .filter { $0.string("status") != "success" }
                .map { "\($0.string("name") ?? "?"): \($0.string("failure_message") ?? "")" }
            #expect(run.status == 0 && failed.isEmpty, "\(failed)")
        }
    }
}
