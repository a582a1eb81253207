// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `GET /api/v1/jobs/ID/log/stream`: a running job's output from its start, then what it prints after the stream
/// opened, then the end with the job's status; a client that reconnects gets only what it lacks.
@Suite(.serialized, .machineSlot) struct WebAPIStreamTests {
    /// One job that prints a line, waits for the file the `signal` parameter names, then prints another.
    static let config = """
        version: 2.1
        parameters:
          signal: {type: string, default: /nonexistent}
        jobs:
          wait:
            steps:
              - run: |
                  printf 'before \\342\\234\\223\\n'
                  while [ ! -e "<< pipeline.parameters.signal >>" ]; do sleep 0.05; done
                  echo after
        workflows:
          w:
            jobs: [wait]
        """

    /// The events of an SSE body: (name, id, data as JSON).
    static func events(_ body: String) throws -> [(name: String, id: Int?, data: Any)] {
        try body.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }.map { block in
            var (name, id, data) = ("message", Int?.none, "")
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            return (name, id, try JSONSerialization.jsonObject(with: Data(data.utf8), options: .fragmentsAllowed))
        }
    }

    @Test(.timeLimit(.minutes(2))) func theStreamDeliversALinePrintedAfterItOpenedThenTheEnd() async throws {
        let served = try await WebAPIActionTests.Served(config: Self.config)
        let signal = "/var/tmp/cibox-sse-\(UUID().uuidString)"
        let folder = try TemporaryDirectory(prefix: "cibox-sse")
        try await withCleanup {
            let made = try await served.post(
                "/api/v1/projects/app/pipelines", #"{"parameters": {"signal": "\#(signal)"}}"#)
            let pipelineID = try WebAPIActionTests.id(made)
            let running = try await served.pipeline(pipelineID) {
                WebAPIActionTests.Served.job("wait", in: $0) == "running"
            }
            let jobID = try #require(running.objects("workflows").first?.objects("jobs").first?.int("id"))
            let url = served.base + "/api/v1/jobs/\(jobID)/log/stream"
            let streamed = folder.appending("stream")
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sS", "-N", "-o", streamed, "-D", folder.appending("headers"), url]
            try curl.run()
            // The stream is open and has sent the first line; the job has not printed the second yet.
            while !((try? String(contentsOfFile: streamed, encoding: .utf8)) ?? "").contains("before") {
                #expect(curl.isRunning, "the stream ended early")
                try await Task.sleep(for: .milliseconds(50))
            }
            let logSoFar = try await HTTPReply.get(served.base + "/api/v1/jobs/\(jobID)/log").text
            #expect(!logSoFar.contains("after"))
            #expect(FileManager.default.createFile(atPath: signal, contents: Data()))
            try await curl.ended()
            let headers = try String(contentsOfFile: folder.appending("headers"), encoding: .utf8).lowercased()
            #expect(headers.contains("content-type: text/event-stream; charset=utf-8\r\n"))
            let events = try Self.events(try String(contentsOfFile: streamed, encoding: .utf8))
            let logs = events.filter { $0.name == "log" }
            let text = logs.compactMap { $0.data as? String }.joined()
            #expect(text.hasPrefix("==> step 0: "), "\(text)")
            #expect(text.hasSuffix("before ✓\nafter\n"), "\(text)")
            #expect(logs.count >= 2, "the line after came in an event of its own")
            #expect(logs.last?.id == Data(text.utf8).count, "each id counts the bytes sent")
            let end = try #require(events.last)
            #expect(end.name == "end" && (end.data as? [String: String]) == ["status": "success"])

            // Reconnecting after the first event: only the rest, then the end again.
            let firstID = try #require(logs.first?.id)
            let resumed = try await HTTPReply.get(url, headers: ["Last-Event-ID: \(firstID)"])
            let rest = try Self.events(resumed.text)
            let first = try #require(logs.first?.data as? String)
            #expect(first + rest.filter { $0.name == "log" }.compactMap { $0.data as? String }.joined() == text)
            #expect(rest.last?.name == "end")

            let missing = try await HTTPReply.get(served.base + "/api/v1/jobs/999999/log/stream")
            #expect(missing.status == 404 && missing.message == "No job with id 999999.")
        } cleanup: {
            unlink(signal)
            folder.remove()
            await served.stop()
        }
    }

    @Test(.timeLimit(.minutes(2))) func anOpenStreamEndsWhenTheDaemonStops() async throws {
        let served = try await WebAPIActionTests.Served(config: Self.config)
        let folder = try TemporaryDirectory(prefix: "cibox-sse")
        try await withCleanup {
            let pipelineID = try WebAPIActionTests.id(try await served.post("/api/v1/projects/app/pipelines"))
            let running = try await served.pipeline(pipelineID) {
                WebAPIActionTests.Served.job("wait", in: $0) == "running"
            }
            let jobID = try #require(running.objects("workflows").first?.objects("jobs").first?.int("id"))
            let streamed = folder.appending("stream")
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sS", "-N", "-o", streamed, served.base + "/api/v1/jobs/\(jobID)/log/stream"]
            try curl.run()
            while !((try? String(contentsOfFile: streamed, encoding: .utf8)) ?? "").contains("before") {
                try await Task.sleep(for: .milliseconds(50))
            }
            // SIGTERM: the stream is closed, the job gets its grace period, and the daemon ends.
            await served.daemon.stop()
            try await curl.ended()
            #expect(served.daemon.terminationStatus == 0)
        } cleanup: {
            folder.remove()
            await served.stop()
        }
    }
}
