// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `/metrics` of the built daemon: the job runs that ended while it served (run by `cibox run` beside it), counted
/// once each, their durations, and the gauges.
@Suite(.serialized, .machineSlot) struct WebMetricsTests {
    @Test(.timeLimit(.minutes(3))) func jobsThatEndWhileTheDaemonServesAreCountedOnceEach() async throws {
        let cli = try CLI()
        let repository = try await Repositories.with(config: APIHome.config)
        let reader = try await cli.run(["token", "create", "scraper", "--role", "viewer"]).stdout
            .split(separator: "\n")[0]
        #expect(try await cli.run(["project", "add", repository.path]).status == 0)
        let before = try await cli.run(["run", repository.path, "--json"])
        let project = try #require(try CLI.object(before).string("project"))
        // Off loopback, so reads (a scrape too) need a viewer's token.
        let (daemon, base) = try await WebAPIAccessTests.serve(cli, listen: "0.0.0.0:0")
        try await withCleanup {
            let scrape = { () async throws -> HTTPReply in
                try await HTTPReply.get(base + "/metrics", headers: ["Authorization: Bearer \(reader)"])
            }
            let anonymous = try await HTTPReply.get(base + "/metrics")
            #expect(anonymous.status == 401 && anonymous.message == WebAPIAccessTests.needsToken)
            let empty = try await scrape()
            #expect(empty.status == 200)
            #expect(empty.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(!empty.text.contains("cibox_jobs_total"), "the run before the daemon started is not counted")

            for _ in 0..<2 {
                #expect(try await cli.run(["run", repository.path, "--json"]).status == 0)
            }
            let first = try await scrape().text
            let series = "project=\"\(project)\",status=\"success\""
            #expect(lines(first, "cibox_jobs_total") == ["cibox_jobs_total{\(series)} 2"])
            #expect(
                lines(first, "# TYPE cibox_job_duration_seconds") == ["# TYPE cibox_job_duration_seconds histogram"])
            let buckets = lines(first, "cibox_job_duration_seconds_bucket{\(series),le=")
            #expect(
                buckets.count == 13
                    && buckets.first?.hasPrefix("cibox_job_duration_seconds_bucket{\(series),le=\"1.0\"} ") == true)
            #expect(buckets.last == "cibox_job_duration_seconds_bucket{\(series),le=\"+Inf\"} 2")
            #expect(
                lines(first, "cibox_job_duration_seconds_count{\(series)}") == [
                    "cibox_job_duration_seconds_count{\(series)} 2"
                ])
            let sum = try #require(lines(first, "cibox_job_duration_seconds_sum{\(series)} ").first)
            #expect((Double(sum.split(separator: " ").last ?? "") ?? -1) > 0)
            for gauge in [
                "cibox_jobs_queued 0.0", "cibox_jobs_running 0.0", "cibox_capacity_in_use_cpus 0.0",
                "cibox_capacity_in_use_memory_bytes 0.0", "cibox_pulls_in_progress 0.0",
            ] {
                #expect(lines(first, gauge) == [gauge])
            }
            let status = try #require(try await cli.run(["status", "--json"]).stdout.data(using: .utf8))
            let capacity = try #require(
                (try JSONSerialization.jsonObject(with: status) as? [String: Any])?["capacity"] as? [String: Any])
            let cpus = Double(try #require(capacity["millicores"] as? Int)) / 1000
            #expect(lines(first, "cibox_capacity_cpus ") == ["cibox_capacity_cpus \(cpus)"])

            // Scraped again: the same jobs are not counted twice.
            #expect(lines(try await scrape().text, "cibox_jobs_total") == ["cibox_jobs_total{\(series)} 2"])
        } cleanup: {
            await daemon.stop()
            cli.home.remove()
            repository.remove()
        }
    }

    /// The lines of `text` that start with `prefix`.
    func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }
}
