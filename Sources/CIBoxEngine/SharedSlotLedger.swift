// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxScheduler
import CIBoxStore

/// The store's slot ledger as this process's ``SlotPool`` sees it: every cibox process on the home (runs,
/// triggers, the pre-push gate, the daemon) takes its job slots from it, each lease owned by this process.
struct SharedSlotLedger: SlotLedgerAccess {
    /// The home's ledger.
    let ledger: SlotLedger
    /// This process.
    let owner: ProcessIdentity

    var isShared: Bool { true }

    func enter(_ request: SlotRequest) throws {
        try ledger.enter(request, owner: owner)
    }

    func schedule(_ decide: ([SlotLease]) -> SlotGrants) throws -> Set<Int64> {
        try ledger.schedule(owner: owner, decide: decide)
    }

    func release(_ id: Int64) throws {
        try ledger.release(jobID: id, owner: owner)
    }

    func takeWake() -> Bool {
        ledger.takeWake(owner: owner)
    }
}
