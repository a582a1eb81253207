// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Synchronization

/// Where a ``SlotPool`` records the job runs that hold a slot or wait for one: this process's own
/// (``LocalSlotLedger``), or the ledger every cibox process on one home shares (the store's, which the engine
/// passes), so that together they never use more than the capacity.
package protocol SlotLedgerAccess: Sendable {
    /// Whether other processes use it too: a pool then looks at it now and then while job runs wait, since their
    /// releases do not wake this process.
    var isShared: Bool { get }
    /// Records this process's job run `request` as waiting for a slot.
    func enter(_ request: SlotRequest) throws
    /// One scheduling pass: `decide` gets the live entries (this process's marked `isOwn`) and says which waiting
    /// ones start now, whoever owns them.
    /// - Returns: this process's job runs that hold a slot after the pass.
    func schedule(_ decide: ([SlotLease]) -> SlotGrants) throws -> Set<Int64>
    /// Gives back this process's slot of job run `id`, or withdraws it from waiting.
    func release(_ id: Int64) throws
    /// Whether another process granted this one a slot since it last asked (cheap: no read of the ledger).
    func takeWake() -> Bool
}

/// A ledger of this process alone (tests, tools without a home): in memory, never failing.
package final class LocalSlotLedger: SlotLedgerAccess {
    private let state = Mutex<(leases: [SlotLease], arrivals: Int64)>(([], 0))

    /// Makes an empty ledger.
    package init() {}

    /// Only this process uses it.
    package var isShared: Bool { false }

    /// The entries, oldest first.
    package var leases: [SlotLease] { state.withLock(\.leases) }

    /// Records `request` as waiting.
    package func enter(_ request: SlotRequest) {
        state.withLock { state in
            guard !state.leases.contains(where: { $0.request.id == request.id }) else { return }
            state.arrivals += 1
            state.leases.append(SlotLease(request: request, isHeld: false, isOwn: true, arrival: state.arrivals))
        }
    }

    /// Applies `decide`'s grants and returns the job runs holding a slot.
    package func schedule(_ decide: ([SlotLease]) -> SlotGrants) -> Set<Int64> {
        state.withLock { state in
            let grants = decide(state.leases)
            let started = Set(grants.started)
            for index in state.leases.indices {
                let id = state.leases[index].request.id
                if started.contains(id) { state.leases[index].isHeld = true }
                if let count = grants.bypassed[id] { state.leases[index].bypassed = count }
            }
            return Set(state.leases.filter(\.isHeld).map(\.request.id))
        }
    }

    /// Nobody else grants slots here.
    package func takeWake() -> Bool { false }

    /// Forgets job run `id`.
    package func release(_ id: Int64) {
        state.withLock { $0.leases.removeAll { $0.request.id == id } }
    }
}
