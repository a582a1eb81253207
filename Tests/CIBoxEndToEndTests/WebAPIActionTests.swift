// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Operators' actions through the API: trigger, cancel, rerun and approve, run by the daemon; bad requests refused
/// with what to do, and nothing done.
@Suite(.serialized, .machineSlot) struct WebAPIActionTests {
    /// A pipeline with parameters: `say` prints the greeting (and fails with `fail: true`), then waits for the
    /// approval `hold` before `after`; with `slow: true` only `sleeper` runs, for a minute.
    static let config = """
        version: 2.1
        parameters:
          greeting: {type: string, default: hello}
          fail: {type: boolean, default: false}
          slow: {type: boolean, default: false}
        jobs:
          say:
            steps:
              - run: echo "greeting=<< pipeline.parameters.greeting >>"
              - run: test "<< pipeline.parameters.fail >>" = false
          after:
            steps:
              - run: echo approved
          sleeper:
            steps:
              - run: sleep 60
        workflows:
          main:
            unless: << pipeline.parameters.slow >>
            jobs:
              - say
              - hold: {type: approval, requires: [say]}
              - after: {requires: [hold]}
          slow:
            when: << pipeline.parameters.slow >>
            jobs: [sleeper]
        """

    /// The `id` of the pipeline in `reply`.
    static func id(_ reply: HTTPReply) throws -> Int {
        guard let id = (try reply.json() as? [String: Any])?.int("id") else {
            throw FixtureError("no pipeline in \(reply.text)")
        }
        return id
    }

    /// A home with the project `app` and a daemon serving the API; the operator's token.
    struct Served {
        let cli: CLI
        let repository: GitFixture
        let daemon: Process
        let daemonOutput: CapturedOutput
        let base: String
        let token: String

        init(config: String = WebAPIActionTests.config) async throws {
            cli = try CLI()
            repository = try await Repositories.with(config: config)
            let added = try await cli.run(["project", "add", repository.path, "--name", "app"])
            guard added.status == 0 else { throw FixtureError("cibox project add failed: \(added.stderr)") }
            token = String(
                try await cli.run(["token", "create", "ops", "--role", "operator"]).stdout.split(separator: "\n")[0])
            (daemon, daemonOutput) = try cli.start(["daemon", "--listen", "127.0.0.1:0", "--grace-period", "2"])
            base = try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon)
        }

        /// `POST path` with `body`, as the operator unless `token` says otherwise. When no answer comes, the error
        /// says what the daemon printed.
        func post(_ path: String, _ body: String? = nil, token: String? = nil) async throws -> HTTPReply {
            do {
                return try await HTTPReply.get(
                    base + path, method: "POST", headers: ["Authorization: Bearer \(token ?? self.token)"],
                    body: body.map { Data($0.utf8) })
            } catch {
                let printed = String(decoding: (try? daemonOutput.contents()) ?? Data(), as: UTF8.self)
                throw FixtureError(
                    "\(error); the daemon (\(daemon.isRunning ? "running" : "ended")) printed:\n\(printed.suffix(4000))"
                )
            }
        }

        /// The pipeline `id` as the API shows it, once `condition` holds (within 60 s).
        func pipeline(_ id: Int, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
            for _ in 0..<600 {
                let shown = try await HTTPReply.get(base + "/api/v1/pipelines/\(id)").json() as? [String: Any] ?? [:]
                if condition(shown) { return shown }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw FixtureError("pipeline \(id) never got there")
        }

        /// The status of job `name` in `pipeline`.
        static func job(_ name: String, in pipeline: [String: Any]) -> String? {
            pipeline.objects("workflows").flatMap { $0.objects("jobs") }.first { $0.string("name") == name }?
                .string("status")
        }

        func stop() async {
            await daemon.stop()
            cli.home.remove()
            repository.remove()
        }
    }

    @Test(.timeLimit(.minutes(3))) func aTriggeredPipelineRunsWithItsParametersAndWaitsForItsApproval() async throws {
        let served = try await Served()
        try await withCleanup {
            let made = try await served.post(
                "/api/v1/projects/app/pipelines", #"{"branch": "main", "parameters": {"greeting": "<b>hi</b>"}}"#)
            #expect(made.status == 201, "\(made.text)")
            let pipelineID = try Self.id(made)
            #expect(made.headers["location"] == "/api/v1/pipelines/\(pipelineID)")
            let shownAtOnce = try #require(try made.json() as? [String: Any])
            #expect(shownAtOnce.string("trigger") == "api")
            #expect(shownAtOnce.string("branch") == "main")

            let held = try await served.pipeline(pipelineID) { $0.string("status") == "on_hold" }
            #expect(Served.job("say", in: held) == "success")
            let sayID = try #require(
                held.objects("workflows").flatMap { $0.objects("jobs") }.first { $0.string("name") == "say" }?.int("id")
            )
            let log = try await HTTPReply.get(served.base + "/api/v1/jobs/\(sayID)/log")
            #expect(log.text.contains("greeting=<b>hi</b>\n"), "\(log.text)")

            let approved = try await served.post("/api/v1/pipelines/\(pipelineID)/approve/hold")
            #expect(approved.status == 200, "\(approved.text)")
            let done = try await served.pipeline(pipelineID) { $0.string("status") == "success" }
            #expect(Served.job("after", in: done) == "success")
            // What `cibox show --json` prints, byte for byte.
            let shown = try await served.cli.run(["show", String(pipelineID), "--json"])
            #expect(try await HTTPReply.get(served.base + "/api/v1/pipelines/\(pipelineID)").text == shown.stdout)

            let again = try await served.post("/api/v1/pipelines/\(pipelineID)/approve/hold")
            #expect(again.status == 404, "\(again.text)")
            #expect(again.message == "Pipeline \(pipelineID) has no job 'hold' waiting for approval.")
        } cleanup: {
            await served.stop()
        }
    }

    @Test(.timeLimit(.minutes(3))) func cancelStopsARunningPipelineAndRerunFailedMakesANewOne() async throws {
        let served = try await Served()
        try await withCleanup {
            let slow = try await served.post("/api/v1/projects/app/pipelines", #"{"parameters": {"slow": true}}"#)
            #expect(slow.status == 201, "\(slow.text)")
            let slowID = try Self.id(slow)
            _ = try await served.pipeline(slowID) { Served.job("sleeper", in: $0) == "running" }
            let canceled = try await served.post("/api/v1/pipelines/\(slowID)/cancel")
            #expect(canceled.status == 202, "\(canceled.text)")
            _ = try await served.pipeline(slowID) { $0.string("status") == "canceled" }
            let twice = try await served.post("/api/v1/pipelines/\(slowID)/cancel")
            #expect(twice.status == 409 && twice.message == "Pipeline \(slowID) has already ended.")

            let failing = try await served.post("/api/v1/projects/app/pipelines", #"{"parameters": {"fail": true}}"#)
            let failingID = try Self.id(failing)
            _ = try await served.pipeline(failingID) { $0.string("status") == "failed" }
            let rerun = try await served.post("/api/v1/pipelines/\(failingID)/rerun", #"{"failed": true}"#)
            #expect(rerun.status == 201, "\(rerun.text)")
            let rerunID = try Self.id(rerun)
            #expect(rerunID != failingID)
            #expect(rerun.headers["location"] == "/api/v1/pipelines/\(rerunID)")
            let second = try await served.pipeline(rerunID) { $0.string("status") == "failed" }
            #expect(Served.job("say", in: second) == "failed")
        } cleanup: {
            await served.stop()
        }
    }

    @Test(.timeLimit(.minutes(2))) func badRequestsAndViewersAreRefusedWithNothingDone() async throws {
        let served = try await Served()
        try await withCleanup {
            let viewer = String(
                try await served.cli.run(["token", "create", "eyes", "--role", "viewer"]).stdout
                    .split(separator: "\n")[0])
            let cases: [(String, String?, String?, Int, String)] = [
                (
                    "/api/v1/projects/nope/pipelines", nil, nil, 404,
                    "No project named 'nope'. `GET /api/v1/pipelines` names the projects."
                ),
                ("/api/v1/projects/app/pipelines", "[1]", nil, 400, "The request's body must be a JSON object."),
                (
                    "/api/v1/projects/app/pipelines", #"{"brnch": "main"}"#, nil, 400,
                    "Unknown field 'brnch': the fields are branch, rev, parameters."
                ),
                (
                    "/api/v1/projects/app/pipelines", #"{"branch": "main", "rev": "HEAD"}"#, nil, 400,
                    "Give 'branch' or 'rev', not both."
                ),
                (
                    "/api/v1/projects/app/pipelines", #"{"parameters": {"fail": [1]}}"#, nil, 400,
                    "Parameter 'fail' must be a string, a number or a boolean."
                ),
                ("/api/v1/projects/app/pipelines", #"{"branch": 3}"#, nil, 400, "'branch' must be a non-empty string."),
                ("/api/v1/pipelines/999/cancel", nil, nil, 404, "No pipeline with id 999."),
                ("/api/v1/pipelines/999/rerun", #"{"failed": "yes"}"#, nil, 400, "'failed' must be true or false."),
                ("/api/v1/pipelines/x/rerun", nil, nil, 400, "'x' is not a pipeline id: ids are whole numbers from 1."),
                (
                    "/api/v1/projects/app/pipelines", nil, viewer, 403,
                    "The token 'eyes' is a viewer's; this needs an operator's or more."
                ),
            ]
            for (path, body, token, status, message) in cases {
                let reply = try await served.post(path, body, token: token)
                #expect(reply.status == status && reply.message == message, "\(path) \(body ?? ""): \(reply.text)")
            }
            let anonymous = try await HTTPReply.get(served.base + "/api/v1/projects/app/pipelines", method: "POST")
            #expect(anonymous.status == 401)
            #expect(try await served.cli.run(["pipelines", "--json"]).stdout == "[]\n", "nothing was triggered")
        } cleanup: {
            await served.stop()
        }
    }

    @Test(.timeLimit(.minutes(2))) func aBodyThatDoesNotArriveIsCutOffWithNothingDone() async throws {
        let served = try await Served()
        try await withCleanup {
            let port = try #require(UInt16(served.base.split(separator: ":").last ?? ""))
            let fd = try #require(LoopbackSocket.connect(port: port))
            defer { close(fd) }
            var wait = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            // Says 100 bytes, sends one, and waits.
            let request = Array(
                ("POST /api/v1/projects/app/pipelines HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + "\(served.token)\r\nContent-Length: 100\r\n\r\n{").utf8)
            #expect(write(fd, request, request.count) == request.count)
            var answer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &chunk, chunk.count)
                guard count > 0 else { break }
                answer += chunk[0..<count]
            }
            let text = String(decoding: answer, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408 "), "\(text)")
            let message = "{\n  \"message\": \"The request's body did not arrive within 10 s.\"\n}\n"
            #expect(text.hasSuffix(message), "\(text)")
            #expect(try await served.cli.run(["pipelines", "--json"]).stdout == "[]\n", "nothing was triggered")
        } cleanup: {
            await served.stop()
        }
    }
}
