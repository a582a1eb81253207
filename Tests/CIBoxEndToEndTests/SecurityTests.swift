// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// DESIGN.md's security invariants, end to end: secrets stay out of logs and reports, what a config or a job
/// says is escaped in reports, and jobs can run as an unprivileged user. (Artifact and workspace paths that try
/// to leave their folders: StorageTests and ArchiveTests; report escaping of job output: CIBoxReportTests.)
@Suite(.serialized, .machineSlot) struct SecurityTests {
    /// Every file under `folder` (recursively) whose bytes contain `needle`.
    static func files(under folder: String, containing needle: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard let data = FileManager.default.contents(atPath: folder + "/" + relative) else { continue }
            if data.range(of: Data(needle.utf8)) != nil { found.append(relative) }
        }
        return found
    }

    @Test func secretsFromContextsAndSettingsReachNeitherLogsNorReports() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  deploy:
                    steps:
                      - run: echo "token=$DEPLOY_TOKEN project=$PROJECT_SECRET" && echo "$DEPLOY_TOKEN" | rev && exit 1
                workflows:
                  w:
                    jobs:
                      - deploy:
                          context: [production]
                """)
        defer { cli.home.remove(); repo.remove() }
        let project = URL(fileURLWithPath: repo.path).lastPathComponent
        try cli.home.write(
            "project_environment:\n  \(project):\n    PROJECT_SECRET: p-secret-4711\n", to: "settings.yml")
        #expect(
            try await cli.run(["context", "set", "production", "DEPLOY_TOKEN"], input: "tok-9f8e7d6c\n").status == 0)
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1)
        for secret in ["tok-9f8e7d6c", "p-secret-4711"] {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "invariant: no secret in the output")
            #expect(
                Self.files(under: cli.home.path + "/logs", containing: secret).isEmpty,
                "invariant: no secret in a stored log")
            #expect(
                Self.files(under: cli.home.path + "/reports", containing: secret).isEmpty,
                "invariant: no secret in the HTML report")
        }
        #expect(run.stderr.contains("token=**** project=****"))
        // Masking is of the value as printed: a transformed secret is the job's own doing, and shows.
        #expect(run.stderr.contains("c6d7e8f9-kot"))
    }

    @Test func namesFromTheConfigAreEscapedInEveryPage() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run:
                          name: <img src=x onerror=alert(1)>
                          command: echo ok
                workflows:
                  w<script>alert(2)</script>:
                    jobs:
                      - build:
                          name: b<script>alert(3)</script>
                """)
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 0, "\(run.stderr)")
        for needle in ["<img src=x", "<script>alert(2)", "<script>alert(3)"] {
            #expect(
                Self.files(under: cli.home.path + "/reports", containing: needle).isEmpty,
                "invariant: config text is escaped in reports (\(needle))")
        }
        let pages = Self.files(under: cli.home.path + "/reports", containing: "&lt;script&gt;alert(3)&lt;/script&gt;")
        #expect(!pages.isEmpty, "the escaped job name is shown")
    }

    @Test(.enabled(if: getuid() == 0 && getpwnam("nobody") != nil, "switching users needs root and a 'nobody' user"))
    func jobsRunAsTheUnprivilegedUserOfSettings() async throws {
        let cli = try CLI()
        chmod(cli.home.path, 0o755)
        let secretFile = cli.home.appending("root-only.txt")
        try cli.home.write("root's\n", to: "root-only.txt")
        chmod(secretFile, 0o600)
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - checkout
                      - run: id -u && echo mine > mine.txt && cat mine.txt
                      - run: cat '\(secretFile)'
                workflows:
                  w:
                    jobs: [build]
                """)
        chmod(repo.path, 0o755)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("run_as: nobody\n", to: "settings.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1)
        let job = try #require(try CLI.object(run).objects("workflows").first?.objects("jobs").first)
        let id = String(job.int("id") ?? 0)
        #expect(
            try await cli.run(["logs", id, "--step", "1"]).stdout == "65534\nmine\n",
            "invariant: the job runs as nobody")
        let denied = try await cli.run(["logs", id, "--step", "2"]).stdout
        #expect(denied.contains("Permission denied"), "invariant: the job cannot read root's files")
    }

    @Test(.enabled(if: getuid() == 0 && getpwnam("nobody") != nil, "switching users needs root and a 'nobody' user"))
    func aRestoredCacheBelongsToTheJobsUser() async throws {
        let cli = try CLI()
        chmod(cli.home.path, 0o755)
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - restore_cache:
                          key: deps-v1
                      - run: mkdir -p deps && echo "run by $(id -u)" >> deps/list.txt && cat deps/list.txt
                      - save_cache:
                          key: deps-v1-{{ .Revision }}
                          paths: [deps]
                workflows:
                  w:
                    jobs: [build]
                """)
        chmod(repo.path, 0o755)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("run_as: nobody\n", to: "settings.yml")
        #expect(try await cli.run(["run", repo.path]).status == 0)
        try await repo.git(["commit", "-q", "--allow-empty", "-m", "again"])
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "invariant: the job's user owns what cibox restored — \(second.stderr)")
        let job = try #require(try CLI.object(second).objects("workflows").first?.objects("jobs").first)
        #expect(
            try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "1"]).stdout
                == "run by 65534\nrun by 65534\n")
    }
}

/// Secrets never reach anything a viewer can read (issue 19): a pipeline prints a context's secret in every place
/// cibox stores or shows text, and afterwards no file of the home but the contexts store holds it in clear.
@Suite(.serialized, .machineSlot) struct SecretEverywhereTests {
    @Test func aSecretPrintedEverywhereIsStoredNowhereButTheContextsStore() async throws {
        let cli = try CLI()
        let secret = "s3cr3t-\(UUID().uuidString.prefix(12))"
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  leak:
                    steps:
                      - run:
                          name: leak everywhere
                          command: |
                            echo "plain $TOKEN"
                            echo "stderr $TOKEN" >&2
                            mkdir -p results "dir-$TOKEN"
                            printf '<testsuite name="s-%s" tests="1" failures="1"><testcase classname="c-%s" name="n-%s" file="f-%s"><failure message="m-%s">body %s</failure><system-out>out %s</system-out></testcase></testsuite>\\n' \\
                              "$TOKEN" "$TOKEN" "$TOKEN" "$TOKEN" "$TOKEN" "$TOKEN" "$TOKEN" > results/junit.xml
                            echo "$TOKEN" > "dir-$TOKEN/artifact-$TOKEN.txt"
                      - store_test_results: {path: results}
                      - save_cache:
                          key: key-{{ .Environment.TOKEN }}-v1
                          paths: [results]
                      - restore_cache:
                          key: key-{{ .Environment.TOKEN }}
                      - persist_to_workspace:
                          root: .
                          paths: [missing-$TOKEN]
                workflows:
                  w:
                    jobs:
                      - leak: {context: [deploy]}
                """)
        defer { cli.home.remove(); repo.remove() }
        #expect(try await cli.run(["context", "set", "deploy", "TOKEN"], input: secret + "\n").status == 0)
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1, "the missing workspace path fails the job")
        var shown = run.stdout + run.stderr
        for command in [
            ["show", "1"], ["show", "1", "--json"], ["pipelines", "--json"], ["cache", "list"], ["artifacts", "1"],
            ["report"],
        ] {
            let output = try await cli.run(command)
            shown += output.stdout + output.stderr
        }
        for step in 0..<6 {
            shown += try await cli.run(["logs", "1", "--step", String(step)]).stdout
        }
        #expect(shown.contains("plain ****"), "the step's output is shown masked")
        #expect(shown.contains("n-****"), "the test's name is shown masked")
        #expect(!shown.contains(secret), "invariant: no command shows the secret")
        let holders = SecurityTests.files(under: cli.home.path, containing: secret)
        #expect(
            holders == ["contexts/deploy.json"], "invariant: only the contexts store holds the secret: \(holders)")
        #expect(!holders.isEmpty, "the secret is where contexts are kept")
    }
}
