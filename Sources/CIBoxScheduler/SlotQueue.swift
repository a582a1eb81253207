// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

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

    /// One scheduling pass over a slot ledger's live entries (`leases`; held ones run, waiting ones wait in
    /// arrival order with the bypasses they already had): the waiting entries this policy starts now, and the new
    /// bypass counts of those overtaken.
    package static func grants(for leases: [SlotLease], capacity: Capacity, maxBypass: Int) -> SlotGrants {
        var queue = SlotQueue(capacity: capacity, maxBypass: maxBypass)
        var before: [Int64: Int] = [:]
        for lease in leases.sorted(by: { $0.arrival < $1.arrival }) {
            if lease.isHeld {
                queue.running[lease.request.id] = lease.request
            } else {
                queue.waiting.append((lease.request, Int(lease.arrival), lease.bypassed))
                before[lease.request.id] = lease.bypassed
            }
        }
        let started = queue.schedule()
        var bypassed: [Int64: Int] = [:]
        for entry in queue.waiting where entry.bypassed != before[entry.request.id] {
            bypassed[entry.request.id] = entry.bypassed
        }
        return SlotGrants(started: started, bypassed: bypassed)
    }
}
