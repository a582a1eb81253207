// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Who asked for a pipeline, in the order the scheduler serves them.
package enum Priority: Int, Sendable, Comparable, Codable {
    /// The daemon saw a push.
    case watcher = 0
    /// A person ran `cibox run` (or a script `cibox trigger`).
    case manual = 1
    /// A developer waits on `git push`.
    case prePush = 2

    /// The priority of pipelines made by `trigger`.
    package init(_ trigger: TriggerKind) {
        switch trigger {
        case .prePush: self = .prePush
        case .push: self = .watcher
        case .manual, .api, .rerun: self = .manual
        }
    }

    /// Orders by urgency.
    package static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What one job run asks of the machine.
package struct SlotRequest: Sendable, Equatable {
    /// The job run.
    package var id: Int64
    /// Its project (for fairness).
    package var project: Int64
    /// Its pipeline's priority.
    package var priority: Priority
    /// CPU in thousandths of a core.
    package var millicores: Int
    /// Memory in bytes.
    package var memoryBytes: Int64

    /// Makes a request.
    package init(id: Int64, project: Int64, priority: Priority, millicores: Int, memoryBytes: Int64) {
        self.id = id
        self.project = project
        self.priority = priority
        self.millicores = millicores
        self.memoryBytes = memoryBytes
    }
}

/// The pure slot scheduler: capacity in millicores and bytes, requests in, started job runs out.
///
/// Order: higher priority first; among equals, the project with fewer running job runs first (fairness),
/// then arrival. A request that does not fit yet lets smaller ones start ahead of it at most `maxBypass`
/// times; after that nothing overtakes it until it has started (no starvation).
package struct SlotQueue: Sendable {
    /// What the machine offers.
    package let capacity: Capacity
    /// How often later requests may overtake one that does not fit.
    package let maxBypass: Int
    /// Job runs holding a slot.
    package private(set) var running: [Int64: SlotRequest] = [:]
    private var waiting: [(request: SlotRequest, arrival: Int, bypassed: Int)] = []
    private var arrivals = 0

    /// Makes an empty queue.
    package init(capacity: Capacity, maxBypass: Int = 4) {
        self.capacity = capacity
        self.maxBypass = maxBypass
    }

    /// CPU and memory held now.
    package var used: Capacity {
        Capacity(
            millicores: running.values.reduce(0) { $0 + $1.millicores },
            memoryBytes: running.values.reduce(0) { $0 + $1.memoryBytes }
        )
    }

    /// The ids waiting, in the order they would be served.
    package var waitingIDs: [Int64] { ordered().map { waiting[$0].request.id } }

    /// Adds a request; returns the job runs that may start now (in order).
    package mutating func enqueue(_ request: SlotRequest) -> [Int64] {
        arrivals += 1
        waiting.append((request, arrivals, 0))
        return schedule()
    }

    /// Gives back job run `id`'s slot; returns the job runs that may start now.
    package mutating func release(_ id: Int64) -> [Int64] {
        running[id] = nil
        return schedule()
    }

    /// Removes a waiting request (its pipeline was cancelled); returns the job runs that may start now.
    package mutating func withdraw(_ id: Int64) -> [Int64] {
        waiting.removeAll { $0.request.id == id }
        return schedule()
    }

    private func fits(_ request: SlotRequest) -> Bool {
        let used = self.used
        return used.millicores + request.millicores <= capacity.millicores
            && used.memoryBytes + request.memoryBytes <= capacity.memoryBytes
    }

    /// Indexes of `waiting` in service order.
    private func ordered() -> [Int] {
        var runningPerProject: [Int64: Int] = [:]
        for request in running.values { runningPerProject[request.project, default: 0] += 1 }
        return waiting.indices.sorted { a, b in
            let left = waiting[a]
            let right = waiting[b]
            if left.request.priority != right.request.priority { return left.request.priority > right.request.priority }
            let leftLoad = runningPerProject[left.request.project] ?? 0
            let rightLoad = runningPerProject[right.request.project] ?? 0
            if leftLoad != rightLoad { return leftLoad < rightLoad }
            return left.arrival < right.arrival
        }
    }

    private mutating func schedule() -> [Int64] {
        var started: [Int64] = []
        var progress = true
        while progress {
            progress = false
            var blocker: Int?
            for index in ordered() {
                let candidate = waiting[index]
                guard fits(candidate.request) else {
                    if blocker == nil { blocker = index }
                    continue
                }
                if let blocker {
                    guard waiting[blocker].bypassed < maxBypass else { break }
                    waiting[blocker].bypassed += 1
                }
                running[candidate.request.id] = candidate.request
                started.append(candidate.request.id)
                waiting.remove(at: index)
                progress = true
                break
            }
        }
        return started
    }
}
