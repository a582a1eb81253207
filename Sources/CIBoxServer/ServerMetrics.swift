// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
import CIBoxModel
package import CIBoxStore
import CoreMetrics
package import Foundation
import Prometheus
import Synchronization

/// What `/metrics` shows, made with swift-metrics' types on a Prometheus registry of the server's own (never the
/// process-wide `MetricsSystem`, which is the program's to set, not a library's).
///
/// - `cibox_jobs_total{project,status}` and `cibox_job_duration_seconds{project,status}` (a histogram of the job
///   runs that started, from one second to an hour): counted at each scrape from the job runs that ended since the
///   last (``JobEndLedger``), so job runs of `cibox run` beside the daemon count too, each once.
/// - Gauges set at each scrape from what `cibox status --json` reads: queued and running job runs, the capacity and
///   what the running job runs take of it, pulls in progress.
///
/// Concurrency: safe from any task; scrapes are taken one at a time.
package final class ServerMetrics: Sendable {
    /// The histogram's upper bounds, in seconds: CI jobs take seconds to an hour.
    static let durationBuckets: [Double] = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 2700, 3600]
    static let jobsTotal = "cibox_jobs_total"
    static let jobDuration = "cibox_job_duration_seconds"

    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let ledger: Mutex<JobEndLedger>
    private let jobsEnded: @Sendable (Date) throws -> [EndedJob]
    private let clock: @Sendable () -> Date

    /// Metrics counting the job runs that `jobsEnded(since)` finds ending from now on.
    /// - Parameters:
    ///   - jobsEnded: the job runs ended at or after a time (`store.history.jobsEnded(since:)`).
    ///   - clock: the time now (tests pass their own).
    package init(
        jobsEnded: @escaping @Sendable (Date) throws -> [EndedJob],
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.jobDuration] = Self.durationBuckets.map { .seconds($0) }
        self.registry = registry
        self.factory = factory
        self.jobsEnded = jobsEnded
        self.clock = clock
        ledger = Mutex(JobEndLedger(start: clock()))
    }

    /// Metrics of the job runs recorded in `store`.
    package convenience init(store: PipelineStore) {
        let history = store.history
        self.init(jobsEnded: { try history.jobsEnded(since: $0) })
    }

    /// The Prometheus text: the job runs that ended since the last scrape counted, the gauges set from `status`
    /// (the object `cibox status --json` prints). Blocking (a store read): run it off the cooperative threads.
    package func scrape(status: JSONValue) throws -> String {
        try ledger.withLock { ledger in
            let now = clock()
            for job in ledger.take(try jobsEnded(ledger.since), lookedAt: now) { record(job) }
        }
        setGauges(from: status)
        return registry.emitToString()
    }

    /// Counts one ended job run, and its duration when it ran.
    private func record(_ job: EndedJob) {
        let labels = [("project", job.project), ("status", job.status.rawValue)]
        CoreMetrics.Counter(label: Self.jobsTotal, dimensions: labels, factory: factory).increment()
        if let duration = job.duration {
            CoreMetrics.Timer(label: Self.jobDuration, dimensions: labels, factory: factory).recordSeconds(duration)
        }
    }

    /// Sets the gauges from `cibox status --json`'s object.
    private func setGauges(from status: JSONValue) {
        let jobs = status["jobs"]?.elements ?? []
        let count = { (state: String) in jobs.count(where: { $0["status"]?.text == state }) }
        gauge("cibox_jobs_queued", count("queued"))
        gauge("cibox_jobs_running", count("running"))
        for (key, prefix) in [("capacity", "cibox_capacity"), ("in_use", "cibox_capacity_in_use")] {
            gauge(prefix + "_cpus", Double(status[key]?["millicores"]?.number ?? 0) / 1000)
            gauge(prefix + "_memory_bytes", status[key]?["memory_bytes"]?.number ?? 0)
        }
        gauge("cibox_pulls_in_progress", status["pulls"]?.elements?.count ?? 0)
    }

    private func gauge(_ name: String, _ value: some BinaryInteger) { gauge(name, Double(value)) }

    private func gauge(_ name: String, _ value: Double) {
        CoreMetrics.Gauge(label: name, factory: factory).record(value)
    }
}

extension JSONValue {
    /// The member `key` of an object.
    fileprivate subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The elements of an array.
    fileprivate var elements: [JSONValue]? {
        guard case .array(let values) = self else { return nil }
        return values
    }

    /// The text of a string.
    fileprivate var text: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The value of a whole number.
    fileprivate var number: Int64? {
        guard case .int(let value) = self else { return nil }
        return value
    }
}
