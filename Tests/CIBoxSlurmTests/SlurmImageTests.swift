// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxSlurm

/// What a job run in an image brings back from a node: the image in `result.json`, its service containers' logs.
@Suite struct SlurmImageTests {
    @Test func theImageOfTheAgentsResultReachesCibox() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        var agent = SlurmOutcomeTests.agentResult(.failed, reason: .exitCode, exitCode: 1)
        agent.image = JobImage(
            reference: "docker.io/cimg/node:20.11", digest: "sha256:" + String(repeating: "9", count: 64))
        let folder = SlurmJobFolder(path: root.path)
        try AgentFiles.encode(agent).write(to: URL(fileURLWithPath: folder.resultFile))
        let read = try #require(AgentFiles.read(JobResult.self, from: folder.resultFile))
        #expect(read == agent)
        for state in ["COMPLETED", "OUT_OF_MEMORY", "CANCELLED"] {
            let result = SlurmOutcomeTests.outcome(agent: read, state: state).result(now: SlurmOutcomeTests.now)
            #expect(result.image == agent.image, "\(state)")
        }
        // A result written by an agent that knows no images reads as a job run on the host.
        var older = try #require(try JSONSerialization.jsonObject(with: AgentFiles.encode(agent)) as? [String: Any])
        older["image"] = nil
        try JSONSerialization.data(withJSONObject: older).write(to: URL(fileURLWithPath: folder.resultFile))
        #expect(try #require(AgentFiles.read(JobResult.self, from: folder.resultFile)).image == nil)
    }

    @Test func containerLogsAreCopiedAsTheyGrow() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let source = root.appending("shared/logs/containers")
        let destination = root.appending("home/logs/4/containers")
        ContainerLogCopy.copy(from: source, to: destination)
        #expect(!FileManager.default.fileExists(atPath: destination), "no container logs, no folder")
        try root.write("ready\n", to: "shared/logs/containers/db.log")
        try root.write("ignored", to: "shared/logs/containers/db.tmp")
        try FileManager.default.createSymbolicLink(atPath: source + "/link.log", withDestinationPath: "/etc/passwd")
        ContainerLogCopy.copy(from: source, to: destination)
        try root.write("ready\nconnection\n", to: "shared/logs/containers/db.log")
        try root.write("up\n", to: "shared/logs/containers/cache.log")
        ContainerLogCopy.copy(from: source, to: destination)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination).sorted() == ["cache.log", "db.log"])
        #expect(try String(contentsOfFile: destination + "/db.log", encoding: .utf8) == "ready\nconnection\n")
        #expect(try String(contentsOfFile: destination + "/cache.log", encoding: .utf8) == "up\n")
    }
}
