// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// What jobs print and store is data: huge, odd or hostile, it is kept intact and shown safely.
@Suite(.machineSlot) struct BadInputTests {
    /// Runs a one-job pipeline whose only step is `script`, and returns the job's JSON with the CLI.
    static func runJob(_ script: String, extraSteps: String = "") async throws -> (
        CLI, GitFixture, [String: Any], ProcessOutput
    ) {
        let cli = try CLI()
        let indented = script.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        let config =
            "version: 2.1\njobs:\n  loud:\n    steps:\n      - run: |\n\(indented)\n\(extraSteps)\n"
            + "workflows:\n  w:\n    jobs: [loud]\n"
        let repo = try await Repositories.with(config: config)
        let output = try await cli.run(["run", repo.path, "--json"])
        let job = try #require(try CLI.object(output).objects("workflows").first?.objects("jobs").first)
        return (cli, repo, job, output)
    }

    @Test func aGibibyteOfOutputIsStoredWhole() async throws {
        let (cli, repo, job, output) = try await Self.runJob(
            // 32-byte lines, so 1 GiB ends with a whole line; `yes` ends by SIGPIPE, which pipefail reports.
            "yes 'line of a very chatty job 12345' | head -c 1073741824 || test $? = 141")
        defer { cli.home.remove(); repo.remove() }
        #expect(output.status == 0, "invariant: a job's output is stored whole — \(output.stderr)")
        let step = try #require(job.objects("steps").first)
        #expect(step.int("log_bytes") == 1 << 30, "invariant: every byte of a 1 GiB log is kept")
        let path = cli.home.path + "/logs/\(job.int("id") ?? 0)/0.log"
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 1 << 30)
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(1 << 30) - 64)
        let tail = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        #expect(
            tail.hasSuffix("line of a very chatty job 12345\n"), "invariant: the log's end is the job's last output")
    }

    @Test func aHundredMegabyteLineIsStoredAndTheSummaryStaysShort() async throws {
        let (cli, repo, job, output) = try await Self.runJob("head -c 104857600 /dev/zero | tr '\\0' x\nexit 3")
        defer { cli.home.remove(); repo.remove() }
        #expect(output.status == 1)
        #expect(job.objects("steps").first?.int("log_bytes") == 104_857_600, "invariant: a 100 MB line is kept")
        #expect(output.stderr.utf8.count < 200_000, "invariant: the summary shows a bounded tail, not the whole line")
    }

    @Test func invalidUTF8NulAndTerminalEscapesAreKeptByteForByteAndNeverReachTheTerminal() async throws {
        let (cli, repo, job, output) = try await Self.runJob(
            #"printf 'bad \377\376 nul \000 end\n\033]0;owned\007\033[2J\033[31mred\033[0m\n'; exit 1"#)
        defer { cli.home.remove(); repo.remove() }
        #expect(output.status == 1)
        let logs = try await ProcessRunner.runBytes(
            CLI.binary, ["logs", String(job.int("id") ?? 0), "--step", "0", "--home", cli.home.path])
        let expected: [UInt8] =
            Array("bad ".utf8) + [0xFF, 0xFE] + Array(" nul ".utf8) + [0] + Array(" end\n".utf8)
            + [0x1B] + Array("]0;owned".utf8) + [0x07, 0x1B] + Array("[2J".utf8) + [0x1B] + Array("[31mred".utf8)
            + [0x1B] + Array("[0m\n".utf8)
        #expect(logs == expected, "invariant: the log holds exactly the bytes the job printed")
        // The summary (stderr, not a terminal here) shows the lines without any control sequence.
        #expect(output.stderr.contains("    bad \u{FFFD}\u{FFFD} nul ^@ end\n    red\n"))
        #expect(!output.stderr.contains("\u{1B}"), "invariant: job output cannot drive the terminal")
        #expect(!output.stderr.contains("\u{07}"))
    }

    @Test func aThousandArtifactsAreStoredAndListed() async throws {
        let (cli, repo, job, output) = try await Self.runJob(
            "mkdir -p out && for i in $(seq 1 1000); do echo \"artifact $i\" > out/file-$i.txt; done",
            extraSteps: "      - store_artifacts:\n          path: out")
        defer { cli.home.remove(); repo.remove() }
        #expect(output.status == 0, "\(output.stderr)")
        #expect(job.objects("artifacts").count == 1000, "invariant: every artifact is stored")
        let listed = try await cli.run(["artifacts", String(job.int("id") ?? 0), "--json"])
        let array = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any]
        #expect(array?.count == 1000)
        let page = cli.home.path + "/reports/pipelines/1/jobs/\(job.int("id") ?? 0).html"
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("file-1000.txt"))
    }
}
