// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxSlurm
import CIBoxTestSupport
import Foundation
import Testing

/// A cluster that knows some jobs by id and some by name, or cannot be reached.
struct KnownJobs: SlurmClient {
    var states: [String: SlurmJobState] = [:]
    var names: [String: [String]] = [:]
    var isReachable = true

    func submit(scriptPath: String, arguments: [String]) async throws(SlurmError) -> String { "0" }

    func states(of ids: [String]) async throws(SlurmError) -> [String: SlurmJobState] {
        guard isReachable else { throw SlurmError(.command, "squeue: Unable to contact slurm controller") }
        return states.filter { ids.contains($0.key) }
    }

    func cancel(_ id: String) async throws(SlurmError) {}

    func jobIDs(named names: [String]) async throws(SlurmError) -> [String: [String]] {
        guard isReachable else { throw SlurmError(.command, "squeue: Unable to contact slurm controller") }
        return self.names.filter { names.contains($0.key) }
    }
}

@Suite struct SlurmRecoveryTests {
    let shared: TemporaryDirectory
    let home = "/var/lib/cibox"

    init() throws {
        shared = try TemporaryDirectory(prefix: "cibox-shared")
    }

    @Test func jobsSlurmStillKnowsOrThatLeftAResultAreAttachedAndLostOnesAreNot() async throws {
        defer { shared.remove() }
        // Job run 3 ended while cibox was away and Slurm forgot it: its result is in the shared folder.
        let ended = SlurmJobFolder(sharedDirectory: shared.path, home: home, jobID: 3)
        try shared.write("{}", to: String(ended.resultFile.dropFirst(shared.path.count + 1)))
        // Job run 5 was submitted, but cibox died before it recorded the id: Slurm knows it by its name.
        let client = KnownJobs(
            states: ["41": SlurmJobState("RUNNING"), "42": SlurmJobState("COMPLETED")],
            names: [SlurmSubmission.jobName(home: home, jobID: 5): ["50", "51"]])
        let running: [(jobID: Int64, reference: String?)] = [
            (1, "slurm:41"), (2, "slurm:42"), (3, "slurm:43"), (4, "slurm:44"), (5, nil), (6, nil),
        ]
        let attachable = await SlurmRecovery.attachable(
            running, sharedDirectory: shared.path, home: home, client: client)
        #expect(attachable == [1: "slurm:41", 2: "slurm:42", 3: "slurm:43", 5: "slurm:51"])
    }

    @Test func whenSlurmCannotBeAskedRecordedJobsAreKeptForTheirFollowers() async {
        defer { shared.remove() }
        let attachable = await SlurmRecovery.attachable(
            [(1, "slurm:41"), (2, nil)], sharedDirectory: shared.path, home: home,
            client: KnownJobs(isReachable: false))
        #expect(attachable == [1: "slurm:41"])
    }
}
