// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The machine-wide slot ledger (`slotLease`): every cibox process on one home (runs, triggers, the pre-push gate,
/// the daemon) records here each job run that holds a slot or waits for one, so that together they never use more
/// than the capacity.
///
/// A lease belongs to its process (pid and start time, as ``ProcessIdentity`` tells them apart): a held slot whose
/// process is gone (ended, killed with -9, a zombie) is free, whoever looks, and the next write drops every entry of
/// that process. Only the owners of held slots are looked up (a few, whatever the number waiting): a waiting entry
/// of a gone process is granted in its turn, and dropped at the next pass, as a held one.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.slots`) that holds only the shared writer.
/// Concurrency: safe from any task and any process; granting slots is one immediate transaction, so two processes
/// never both grant the last one. The store decides nothing: which job runs start is the caller's `decide` (the
/// scheduler's policy).
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct SlotLedger: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// The live entries, as `owner` sees them (its own marked), oldest first; those of gone processes left out.
    /// - Throws: ``StoreError`` `database`.
    package func leases(owner: ProcessIdentity) throws(StoreError) -> [SlotLease] {
        try database.read("read the slot ledger") { db in try Self.live(db, owner: owner).leases }
    }

    /// Records that `owner`'s job run `request` waits for a slot (until a scheduling pass grants it one or it is
    /// released), so that every process sees it waiting.
    /// - Throws: ``StoreError`` `database`.
    package func enter(_ request: SlotRequest, owner: ProcessIdentity) throws(StoreError) {
        try database.write("record job run \(request.id) as waiting for a slot") { db in
            try db.execute(
                sql: """
                    INSERT INTO slotLease (jobId, ownerPid, ownerStartTime, projectId, priority, millicores,
                        memoryBytes, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (jobId) DO NOTHING
                    """,
                arguments: Self.values(request, owner: owner) + [Date().stored])
        }
    }

    /// One scheduling pass: `decide` is given the live entries and says which waiting ones start now, whichever
    /// process owns them (this takes their slot, and after the commit wakes their owner: ``takeWake(owner:)``). The
    /// entries of gone processes are dropped in the same immediate transaction, so two processes never both grant
    /// the last slot.
    ///
    /// A pass that would change nothing is only a read (processes that wait look often).
    /// - Returns: the job runs of `owner` that hold a slot after the pass.
    /// - Throws: ``StoreError`` `database`.
    package func schedule(
        owner: ProcessIdentity, decide: ([SlotLease]) -> SlotGrants
    ) throws(StoreError) -> Set<Int64> {
        let seen = try database.read("read the slot ledger") { db in try Self.live(db, owner: owner) }
        if seen.gone.isEmpty, decide(seen.leases).isEmpty { return Self.held(seen.leases) }

        let (held, woken, gone) = try database.write("share the job slots") { db in
            let (leases, owners, gone) = try Self.live(db, owner: owner)
            for process in gone {
                try db.execute(
                    sql: "DELETE FROM slotLease WHERE ownerPid = ? AND ownerStartTime = ?",
                    arguments: [process.pid, process.startTime])
            }
            let grants = decide(leases)
            for id in grants.started {
                try db.execute(
                    sql: "UPDATE slotLease SET heldSince = ? WHERE jobId = ? AND heldSince IS NULL",
                    arguments: [Date().stored, id])
            }
            for (id, count) in grants.bypassed {
                try db.execute(sql: "UPDATE slotLease SET bypassed = ? WHERE jobId = ?", arguments: [count, id])
            }
            let started = Set(grants.started)
            let ownStarted = leases.filter { $0.isOwn && started.contains($0.request.id) }.map(\.request.id)
            let woken = Set(grants.started.compactMap { owners[$0] }).subtracting([owner])
            return (Self.held(leases).union(ownStarted), woken, gone)
        }
        // After the commit: the processes granted a slot look at once, the others' wake files go.
        for process in woken { wake(process) }
        for process in gone { unlink(wakePath(process)) }
        return held
    }

    /// Whether a pass of another process granted `owner` a slot since it last asked (its wake file, which this
    /// removes): a waiting process asks often, at the cost of one system call, and reads the ledger only then.
    package func takeWake(owner: ProcessIdentity) -> Bool {
        unlink(wakePath(owner)) == 0
    }

    /// The file whose presence tells `process` that a slot was granted to it.
    private func wakePath(_ process: ProcessIdentity) -> String {
        "\(database.home)/slots/\(process.pid)-\(process.startTime)"
    }

    private func wake(_ process: ProcessIdentity) {
        let path = wakePath(process)
        var fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0, errno == ENOENT {
            mkdir("\(database.home)/slots", 0o700)
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        }
        // A wake that could not be written costs the owner a moment: it reads the ledger on its own now and then.
        if fd >= 0 { close(fd) }
    }

    /// Gives back `owner`'s slot for job run `jobID`, or withdraws it from waiting.
    /// - Throws: ``StoreError`` `database`.
    package func release(jobID: Int64, owner: ProcessIdentity) throws(StoreError) {
        try database.write("give back the slot of job run \(jobID)") { db in
            try db.execute(
                sql: "DELETE FROM slotLease WHERE jobId = ? AND ownerPid = ? AND ownerStartTime = ?",
                arguments: [jobID, owner.pid, owner.startTime])
        }
    }

    /// The own entries that hold a slot.
    private static func held(_ leases: [SlotLease]) -> Set<Int64> {
        Set(leases.filter { $0.isOwn && $0.isHeld }.map(\.request.id))
    }

    /// The columns a lease's row starts with, in `INSERT` order.
    private static func values(_ request: SlotRequest, owner: ProcessIdentity) -> StatementArguments {
        [
            request.id, owner.pid, owner.startTime, request.project, request.priority.name, request.millicores,
            request.memoryBytes,
        ]
    }

    /// The entries, oldest first, but those of processes found gone holding a slot; the owner of each (by job run);
    /// and those gone processes.
    private static func live(_ db: Database, owner: ProcessIdentity) throws -> (
        leases: [SlotLease], owners: [Int64: ProcessIdentity], gone: [ProcessIdentity]
    ) {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM slotLease ORDER BY id")
        var alive: [ProcessIdentity: Bool] = [owner: true]
        var leases: [SlotLease] = []
        var owners: [Int64: ProcessIdentity] = [:]
        for row in rows {
            let process = ProcessIdentity(pid: row["ownerPid"], startTime: row["ownerStartTime"])
            let isHeld = row["heldSince"] as Date? != nil
            if isHeld {
                let isAlive = alive[process] ?? process.isAlive
                alive[process] = isAlive
                guard isAlive else { continue }
            }
            let request = SlotRequest(
                id: row["jobId"], project: row["projectId"], priority: Priority(name: row["priority"]) ?? .watcher,
                millicores: row["millicores"], memoryBytes: row["memoryBytes"])
            leases.append(
                SlotLease(
                    request: request, isHeld: isHeld, isOwn: process == owner,
                    arrival: row["id"], bypassed: row["bypassed"]))
            owners[request.id] = process
        }
        let gone = Set(alive.filter { !$0.value }.map(\.key))
        if !gone.isEmpty {
            // The waiting entries of a process found gone with a held slot go with it.
            leases.removeAll { owners[$0.request.id].map(gone.contains) ?? false }
        }
        return (leases, owners, Array(gone))
    }
}
