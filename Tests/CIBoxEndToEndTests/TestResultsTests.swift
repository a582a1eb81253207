// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct TestResultsTests {
    /// A Surefire-style report: 10 cases, one failure.
    static let report = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="com.example.AnswerTest" tests="10" failures="1" errors="0" skipped="0" time="0.5">
        \((1...9).map { "  <testcase classname=\"com.example.AnswerTest\" name=\"passes\($0)\" time=\"0.01\"/>" }
            .joined(separator: "\n"))
          <testcase classname="com.example.AnswerTest" name="answers" time="0.2">
            <failure message="expected 42 but got 41">AssertionError: expected 42 but got 41
            at AnswerTest.answers(AnswerTest.java:12)</failure>
          </testcase>
        </testsuite>
        """

    @Test func oneFailureOfTenIsCountedAndShownInTheSummary() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  test:
                    steps:
                      - checkout
                      - run: mkdir -p build/reports/junit && cp report.xml build/reports/junit/
                      - store_test_results:
                          path: build/reports
                workflows:
                  main:
                    jobs: [test]
                """,
            files: ["report.xml": Self.report])
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let job = try #require(try CLI.object(output).objects("workflows").first?.objects("jobs").first)
        let tests = try #require(job["tests"] as? [String: Any])
        #expect(tests.int("total") == 10)
        #expect(tests.int("failed") == 1)
        #expect(tests.int("skipped") == 0)
        // The summary (stderr with --json) lists the failure with its text, then the counts.
        let failure = try #require(output.stderr.range(of: "FAILED com.example.AnswerTest.answers"))
        let counts = try #require(output.stderr.range(of: "10 tests, 1 failed, 0 skipped"))
        #expect(failure.lowerBound < counts.lowerBound)
        #expect(output.stderr.contains("expected 42 but got 41"))
        let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "2"]).stdout
        #expect(log.hasPrefix("Found 10 tests in 1 file under 'build/reports': 1 failed.\n"))
        let show = try await cli.run(["show", String(try CLI.object(output).int("id") ?? 0)]).stdout
        #expect(show.contains("FAILED com.example.AnswerTest.answers"))
    }

    @Test func resultsAndArtifactsAreStoredEvenAfterTheTestStepFailed() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  test:
                    steps:
                      - checkout
                      - run: mkdir -p out && cp report.xml out/ && exit 1
                      - run: echo never
                      - store_test_results:
                          path: out
                      - store_artifacts:
                          path: out
                workflows:
                  main:
                    jobs: [test]
                """,
            files: ["report.xml": Self.report])
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let job = try #require(try CLI.object(output).objects("workflows").first?.objects("jobs").first)
        #expect(job.string("status") == "failed")
        #expect(
            job.objects("steps").map { $0.string("status") } == ["success", "failed", "not_run", "success", "success"])
        #expect((job["tests"] as? [String: Any])?.int("total") == 10)
        #expect(job.objects("artifacts").map { $0.string("path") } == ["out/report.xml"])
    }

    /// Seconds per test file. Split by name (sorted, dealt in turn) these give 32 s and 10 s; by timings 21 s each.
    static let durations: [String: Double] = [
        "tests/t1.py": 10, "tests/t2.py": 1, "tests/t3.py": 9, "tests/t4.py": 2, "tests/t5.py": 7,
        "tests/t6.py": 3, "tests/t7.py": 6, "tests/t8.py": 4,
    ]

    @Test func splitByTimingsBalancesTwoRunsWithAnEarlierPipelinesTimings() async throws {
        let cli = try CLI()
        var files = [
            "durations.txt": Self.durations.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
        ]
        for name in Self.durations.keys { files[name] = "# test\n" }
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  test:
                    parallelism: 2
                    steps:
                      - checkout
                      - run: |
                          circleci tests glob "tests/*.py" | circleci tests split --split-by=timings \\
                            --timings-type=filename > mine.txt
                          sed 's/^/ITEM /' mine.txt
                      - run: |
                          mkdir -p results
                          {
                            echo '<testsuites><testsuite name="py">'
                            while read -r f; do
                              d=$(grep "^$f " durations.txt | cut -d' ' -f2)
                              echo "<testcase classname=\\"t\\" name=\\"$f\\" file=\\"$f\\" time=\\"$d\\"/>"
                            done < mine.txt
                            echo '</testsuite></testsuites>'
                          } > results/junit.xml
                      - store_test_results:
                          path: results
                workflows:
                  main:
                    jobs: [test]
                """,
            files: files)
        defer { cli.home.remove(); repo.remove() }
        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstJobs = try CLI.object(first).objects("workflows")[0].objects("jobs")
        #expect(firstJobs.compactMap { ($0["tests"] as? [String: Any])?.int("total") }.reduce(0, +) == 8)
        var firstShares: [[String]] = []
        for job in firstJobs { firstShares.append(try await items(of: job, cli: cli)) }
        #expect(firstShares.map { $0.reduce(0) { $0 + (Self.durations[$1] ?? 0) } }.sorted() == [10, 32])

        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        var shares: [[String]] = []
        for job in try CLI.object(second).objects("workflows")[0].objects("jobs") {
            shares.append(try await items(of: job, cli: cli))
        }
        #expect(shares.count == 2)
        #expect(shares.joined().sorted() == Self.durations.keys.sorted())  // every item exactly once
        let sums = shares.map { $0.reduce(0) { $0 + (Self.durations[$1] ?? 0) } }
        #expect(abs(sums[0] - sums[1]) <= 2, "node sums \(sums)")
    }

    /// The items a node printed in its split step.
    private func items(of job: [String: Any], cli: CLI) async throws -> [String] {
        let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "1"]).stdout
        return log.split(separator: "\n").filter { $0.hasPrefix("ITEM ") }.map { String($0.dropFirst(5)) }
    }

    @Test func stepHaltEndsTheJobSuccessfullyAndTestsRunFeedsTheCommand() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run: printf 'b.py\\na.py\\n' | circleci tests run --command "xargs echo RUN" --index 0 --total 1
                      - run: circleci-agent step halt && echo halting
                      - run: echo never; exit 1
                workflows:
                  main:
                    jobs: [build]
                """)
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let job = try #require(try CLI.object(output).objects("workflows").first?.objects("jobs").first)
        #expect(job.string("status") == "success")
        #expect(job.objects("steps").map { $0.string("status") } == ["success", "success", "not_run"])
        let id = String(job.int("id") ?? 0)
        #expect(try await cli.run(["logs", id, "--step", "0"]).stdout == "RUN a.py b.py\n")
        #expect(try await cli.run(["logs", id, "--step", "1"]).stdout.contains("halting"))
    }
}
