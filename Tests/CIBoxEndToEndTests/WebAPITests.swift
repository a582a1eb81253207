// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A home with two runs of a small pipeline (a log of two steps, artifacts) and `cibox daemon --listen 127.0.0.1:0`
/// serving it.
struct APIHome {
    static let config = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: printf 'line one\\nline two\\n'
              - run: mkdir -p out/sub && echo artifact > out/report.txt && echo nested > out/sub/b.txt
              - store_artifacts: {path: out}
        workflows:
          w:
            jobs: [build]
        """

    let cli: CLI
    let repository: GitFixture
    /// The two pipelines, oldest first.
    let pipelines: [Int]
    /// The newest pipeline's job run.
    let job: Int
    let daemon: Process
    /// `http://127.0.0.1:PORT`, from `$CIBOX_HOME/http.address`.
    let base: String

    init() async throws {
        cli = try CLI()
        repository = try await Repositories.with(config: Self.config)
        // Added first, its refs count as seen: the daemon builds no pipeline of its own at start.
        let added = try await cli.run(["project", "add", repository.path])
        guard added.status == 0 else { throw FixtureError("cibox project add failed: \(added.stderr)") }
        var ids: [Int] = []
        for _ in 0..<2 {
            let run = try await cli.run(["run", repository.path, "--json"])
            guard run.status == 0, let id = try CLI.object(run).int("id") else {
                throw FixtureError("cibox run failed: \(run.stderr)")
            }
            ids.append(id)
        }
        pipelines = ids
        let shown = try CLI.object(try await cli.run(["show", String(ids[1]), "--json"]))
        guard let job = shown.objects("workflows").first?.objects("jobs").first?.int("id") else {
            throw FixtureError("no job in pipeline \(ids[1])")
        }
        self.job = job
        (daemon, _) = try cli.start(["daemon", "--listen", "127.0.0.1:0", "--grace-period", "2"])
        base = try await Self.address(of: cli.home.appending("http.address"), daemon: daemon)
    }

    /// The address the daemon wrote, once it is written.
    static func address(of file: String, daemon: Process) async throws -> String {
        for _ in 0..<400 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), text.hasSuffix("\n") {
                return String(text.dropLast())
            }
            guard daemon.isRunning else { throw FixtureError("the daemon ended before it listened") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError("no address in \(file)")
    }

    func get(_ path: String, headers: [String] = []) async throws -> HTTPReply {
        try await HTTPReply.get(base + path, headers: headers)
    }

    func stop() async {
        await daemon.stop()
        cli.home.remove()
        repository.remove()
    }
}

@Suite(.serialized, .machineSlot) struct WebAPITests {
    @Test(.timeLimit(.minutes(2))) func theReadEndpointsServeWhatTheCommandsPrint() async throws {
        let home = try await APIHome()
        try await withCleanup {
            let (first, second) = (home.pipelines[0], home.pipelines[1])
            let shown = try await home.cli.run(["show", String(second), "--json"])
            let pipeline = try await home.get("/api/v1/pipelines/\(second)")
            #expect(pipeline.status == 200)
            #expect(pipeline.headers["content-type"] == "application/json; charset=utf-8")
            #expect(pipeline.body == Data(shown.stdout.utf8), "the same bytes as cibox show --json")

            let list = try #require(try await home.get("/api/v1/pipelines").json() as? [String: Any])
            #expect(list.objects("pipelines").compactMap { $0.int("id") } == [second, first])
            #expect(list.isNull("next_before"))
            let page = try #require(try await home.get("/api/v1/pipelines?limit=1").json() as? [String: Any])
            #expect(page.objects("pipelines").compactMap { $0.int("id") } == [second])
            #expect(page.int("next_before") == second)
            let next = try #require(
                try await home.get("/api/v1/pipelines?limit=1&before=\(second)").json() as? [String: Any])
            #expect(next.objects("pipelines").compactMap { $0.int("id") } == [first])
            let project = try #require(CLI.object(shown).string("project"))
            for (query, expected) in [
                ("project=\(project)&branch=main&status=success", [second, first]), ("project=other", []),
                ("status=failed", []), ("branch=feature", []),
            ] {
                let filtered = try #require(try await home.get("/api/v1/pipelines?" + query).json() as? [String: Any])
                #expect(filtered.objects("pipelines").compactMap { $0.int("id") } == expected, "\(query)")
            }

            let job = try #require(try await home.get("/api/v1/jobs/\(home.job)").json() as? NSDictionary)
            let shownJob = try #require(CLI.object(shown).objects("workflows").first?.objects("jobs").first)
            #expect(job == shownJob as NSDictionary, "the job object of cibox show --json")

            let log = try await home.get("/api/v1/jobs/\(home.job)/log")
            let printed = try await home.cli.run(["logs", String(home.job)])
            #expect(log.status == 200 && log.headers["accept-ranges"] == "bytes")
            #expect(log.body == Data(printed.stdout.utf8), "the bytes cibox logs prints")
            #expect(log.text.contains("line one\nline two\n"))

            let status = try await home.get("/api/v1/status")
            #expect(status.status == 200)
            #expect(status.body == Data(try await home.cli.run(["status", "--json"]).stdout.utf8))
            let health = try await home.get("/healthz")
            #expect(health.status == 200 && health.text == "{\n  \"status\": \"ok\"\n}\n")
        } cleanup: {
            await home.stop()
        }
    }

    @Test(.timeLimit(.minutes(2))) func logRangesAndArtifactsStayInsideTheirFolders() async throws {
        let home = try await APIHome()
        let outside = try TemporaryDirectory(prefix: "cibox-outside")
        try await withCleanup {
            let whole = try await home.get("/api/v1/jobs/\(home.job)/log").body
            let head = try await home.get("/api/v1/jobs/\(home.job)/log", headers: ["Range: bytes=0-9"])
            #expect(head.status == 206 && head.body == whole.prefix(10))
            #expect(head.headers["content-range"] == "bytes 0-9/\(whole.count)")
            let tail = try await home.get("/api/v1/jobs/\(home.job)/log", headers: ["Range: bytes=-5"])
            #expect(tail.status == 206 && tail.body == whole.suffix(5))
            let rest = try await home.get("/api/v1/jobs/\(home.job)/log", headers: ["Range: bytes=20-"])
            #expect(rest.status == 206 && rest.body == whole.dropFirst(20))
            let past = try await home.get("/api/v1/jobs/\(home.job)/log", headers: ["Range: bytes=\(whole.count)-"])
            #expect(past.status == 416)
            #expect(past.headers["content-range"] == "bytes */\(whole.count)")
            #expect(
                past.message
                    == "The log has \(whole.count) bytes; the range 'bytes=\(whole.count)-' starts past its end.")

            let artifacts = "/api/v1/jobs/\(home.job)/artifacts/"
            let report = try await home.get(artifacts + "out/report.txt")
            #expect(report.status == 200 && report.text == "artifact\n")
            #expect(report.headers["content-disposition"] == "attachment; filename*=UTF-8''report.txt")
            #expect(try await home.get(artifacts + "out/sub/b.txt").text == "nested\n")

            // A link planted in the job's artifact folder that leads out of it.
            try outside.write("secret\n", to: "secret.txt")
            let folder = home.cli.home.appending("artifacts/\(home.job)")
            #expect(FileManager.default.fileExists(atPath: folder + "/out/report.txt"))
            try FileManager.default.createSymbolicLink(
                atPath: folder + "/escape", withDestinationPath: outside.appending("secret.txt"))
            for (path, shown) in [
                ("escape", "escape"), ("../\(home.job)/out/report.txt", "../\(home.job)/out/report.txt"),
                ("out/../../../cibox.sqlite", "out/../../../cibox.sqlite"),
                ("%2e%2e/%2e%2e/cibox.sqlite", "../../cibox.sqlite"), ("%2Fetc%2Fpasswd", "/etc/passwd"),
                ("out/%2e%2e%2F%2e%2e%2Fcibox.sqlite", "out/../../cibox.sqlite"), ("out/missing", "out/missing"),
            ] {
                let refused = try await home.get(artifacts + path)
                #expect(refused.status == 404, "\(path)")
                #expect(refused.message == "Job \(home.job) has no artifact '\(shown)'.", "\(path)")
                #expect(!refused.text.contains("secret") && !refused.text.contains("SQLite"))
            }
        } cleanup: {
            await home.stop()
            outside.remove()
        }
    }

    @Test(.timeLimit(.minutes(2))) func errorsAreJSONMessagesAndSIGTERMStopsTheServer() async throws {
        let home = try await APIHome()
        try await withCleanup {
            for (path, status, message) in [
                ("/api/v1/pipelines/abc", 400, "'abc' is not a pipeline id: ids are whole numbers from 1."),
                ("/api/v1/pipelines/0", 400, "'0' is not a pipeline id: ids are whole numbers from 1."),
                ("/api/v1/pipelines/999", 404, "No pipeline with id 999."),
                ("/api/v1/jobs/x/log", 400, "'x' is not a job id: ids are whole numbers from 1."),
                ("/api/v1/jobs/999", 404, "No job with id 999."),
                ("/api/v1/jobs/999/artifacts/a.txt", 404, "No job with id 999."),
                ("/api/v1/pipelines?limit=0", 400, "'limit' must be a whole number from 1 to 100, not '0'."),
                ("/api/v1/pipelines?before=soon", 400, "'before' must be a pipeline id, not 'soon'."),
                (
                    "/api/v1/pipelines?status=sleepy", 400,
                    "'sleepy' is not a pipeline status; the statuses are queued, running, success, failed, error, "
                        + "canceled, on_hold."
                ),
                ("/api/v1/nothing", 404, "Nothing is at this path; the API is under /api/v1/."),
            ] {
                let reply = try await home.get(path)
                #expect(reply.status == status, "\(path)")
                #expect(reply.headers["content-type"] == "application/json; charset=utf-8", "\(path)")
                #expect(reply.message == message, "\(path)")
            }
            // Acting needs an operator's token even on loopback; with one, a path that does not exist is a 404.
            let post = try await HTTPReply.get(home.base + "/api/v1/pipelines", method: "POST")
            #expect(post.status == 401)
            #expect(
                post.message
                    == "This API needs a token: send `Authorization: Bearer TOKEN` (`cibox token create NAME --role "
                    + "operator` makes one).")
            let token = try await home.cli.run(["token", "create", "op", "--role", "operator"]).stdout
                .split(separator: "\n")[0]
            let unknown = try await HTTPReply.get(
                home.base + "/api/v1/pipelines", method: "POST", headers: ["Authorization: Bearer \(token)"])
            #expect(unknown.status == 404 && unknown.message == "Nothing is at this path; the API is under /api/v1/.")
            let path = "/api/v1/pipelines/\(home.pipelines[0])"
            let head = try await HTTPReply.get(home.base + path, method: "HEAD")
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == String(try await home.get(path).body.count))
            let bigHeader = "X-Padding: " + String(repeating: "a", count: 9 * 1024)
            #expect(try await home.get("/healthz", headers: [bigHeader]).status == 400, "a header field over 8 KiB")
            // A body nothing reads is cut off once past 64 KiB, not drained to its end.
            let body = home.cli.home.appending("body.bin")
            try Data(count: 50_000_000).write(to: URL(fileURLWithPath: body))
            let upload = try await ProcessRunner.run(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-H", "Expect:", "-w", "%{size_upload}", "--data-binary", "@" + body]
                    + ["-X", "GET", home.base + "/healthz"])
            #expect(upload.status != 0 && (Double(upload.stdout) ?? 0) < 50_000_000, "\(upload)")
            #expect(try await home.get("/healthz").status == 200)

            let addressFile = home.cli.home.appending("http.address")
            #expect(FileManager.default.fileExists(atPath: addressFile))
            home.daemon.terminate()
            try await home.daemon.ended()
            #expect(home.daemon.terminationStatus == 0)
            #expect(!FileManager.default.fileExists(atPath: addressFile), "the address goes with the server")
        } cleanup: {
            await home.stop()
        }
    }

    @Test(.timeLimit(.minutes(1))) func theSettingsListenAddressIsServed() async throws {
        let cli = try CLI()
        try cli.home.write("http: { listen: \"127.0.0.1:0\" }\n", to: "settings.yml")
        let (daemon, _) = try cli.start(["daemon"])
        try await withCleanup {
            let base = try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon)
            let list = try await HTTPReply.get(base + "/api/v1/pipelines")
            #expect(list.status == 200 && list.text == "{\n  \"pipelines\": [],\n  \"next_before\": null\n}\n")
        } cleanup: {
            await daemon.stop()
            cli.home.remove()
        }
    }

    @Test(.timeLimit(.minutes(1))) func aTakenPortStopsTheDaemonWithAClearError() async throws {
        let first = try CLI()
        let second = try CLI()
        let (daemon, _) = try first.start(["daemon", "--listen", "127.0.0.1:0"])
        try await withCleanup {
            let base = try await APIHome.address(of: first.home.appending("http.address"), daemon: daemon)
            let port = try #require(base.split(separator: ":").last.map(String.init))
            let taken = try await second.run(["daemon", "--listen", "127.0.0.1:\(port)"])
            #expect(taken.status == 1)
            #expect(taken.stderr.contains("error: Cannot listen on 127.0.0.1:\(port): "), "\(taken.stderr)")
            #expect(!FileManager.default.fileExists(atPath: second.home.appending("http.address")))
        } cleanup: {
            await daemon.stop()
            first.home.remove()
            second.home.remove()
        }
    }
}
