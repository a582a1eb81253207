// cibox — CI in a box. MIT licence, see LICENSE.

/// Who asked for a pipeline, in the order the scheduler serves them.
package enum Priority: Int, Sendable, Comparable, Codable, CaseIterable {
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

    /// The priority named `name` (as ``name`` gives it), or nil.
    package init?(name: String) {
        guard let priority = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = priority
    }

    /// Its name, as stored: `prePush`, `manual` or `watcher`.
    package var name: String {
        switch self {
        case .watcher: "watcher"
        case .manual: "manual"
        case .prePush: "prePush"
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

/// One entry of the machine-wide slot ledger that every cibox process on one home shares: a job run that holds a
/// slot or waits for one, as one process sees it.
package struct SlotLease: Sendable, Equatable {
    /// What the job run asks of the machine.
    package var request: SlotRequest
    /// Whether it holds its slot (false: it waits for one).
    package var isHeld: Bool
    /// Whether the process looking owns it.
    package var isOwn: Bool
    /// Its place in the ledger: an entry made earlier has a smaller one.
    package var arrival: Int64
    /// How many times job runs of other processes started ahead of it while it waited.
    package var bypassed: Int

    /// Makes an entry.
    package init(request: SlotRequest, isHeld: Bool, isOwn: Bool, arrival: Int64, bypassed: Int = 0) {
        self.request = request
        self.isHeld = isHeld
        self.isOwn = isOwn
        self.arrival = arrival
        self.bypassed = bypassed
    }
}

/// What one scheduling pass over the slot ledger decided.
package struct SlotGrants: Sendable, Equatable {
    /// The waiting entries that take their slot now (job run ids), whichever process owns them.
    package var started: [Int64]
    /// The waiting entries that later ones overtook in this pass, with their new count of bypasses.
    package var bypassed: [Int64: Int]

    /// Makes a decision.
    package init(started: [Int64] = [], bypassed: [Int64: Int] = [:]) {
        self.started = started
        self.bypassed = bypassed
    }

    /// Whether the pass changes nothing.
    package var isEmpty: Bool { started.isEmpty && bypassed.isEmpty }
}
