// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Whether a `swift` toolchain is on PATH (the Swift sample's pipeline needs one).
private let hasSwift = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
    FileManager.default.isExecutableFile(atPath: "\($0)/swift")
}

@Suite(.machineSlot) struct SampleTests {
    @Test(.enabled(if: hasSwift, "the Swift sample's pipeline runs `swift build` and needs a Swift toolchain on PATH"))
    func swiftPackageSampleBuildsAndTests() async throws {
        let cli = try CLI()
        let repo = try await Repositories.sample("swift-package")
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let job = try CLI.object(output).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("status") == "success")
        #expect(job.objects("steps").map { $0.string("name") } == ["Checkout code", "Swift version", "Build", "Test"])
        let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "3"])
        #expect(log.stdout.contains("greetsByName"))
    }

    @Test func showAndPipelinesAgreeWithRun() async throws {
        let cli = try CLI()
        let repo = try await Repositories.sample("shell-pipeline")
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path, "--json", "--workflow", "docs"])
        #expect(run.status == 0)
        let ran = try CLI.object(run)
        let id = ran.int("id") ?? 0
        let shown = try await cli.run(["show", String(id), "--json"])
        #expect(shown.stdout == run.stdout)
        let list = try JSONSerialization.jsonObject(with: Data(try await cli.run(["pipelines", "--json"]).stdout.utf8))
        let first = try #require((list as? [[String: Any]])?.first)
        #expect(
            first.keys.sorted() == [
                "branch", "created_at", "diagnostics", "error_message", "finished_at", "id", "number", "project",
                "revision", "source", "source_text", "started_at", "status", "trigger",
            ])
        #expect(ran.objects("workflows").map { $0.string("name") } == ["docs"])
        let logs = try await cli.run(["logs", String(ran.objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)])
        #expect(logs.stdout.hasPrefix("==> step 0: Checkout code (success)\nChecked out "))
        #expect(logs.stdout.contains("==> step 1: ./scripts/wordcount.sh README.md (success)\n"))
        let missing = try await cli.run(["show", "999"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: No pipeline with id 999. `cibox pipelines` lists them.\n")
    }

    @Test func usageErrorsExitWith64() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let output = try await cli.run(["run", "--rev", "main", "--working-tree"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("--rev and --working-tree cannot be used together."))
    }
}
