// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxScheduler
import Testing

/// One scheduling pass over a ledger that other processes share (``SlotQueue/grants(for:capacity:maxBypass:)``),
/// and pools over one ledger.
@Suite struct SlotLedgerPassTests {
    static func lease(_ id: Int64, cpus: Int = 1, held: Bool = false, own: Bool = true, bypassed: Int = 0) -> SlotLease
    {
        SlotLease(
            request: SlotQueueTests.request(id, cpus: Double(cpus)), isHeld: held, isOwn: own, arrival: id,
            bypassed: bypassed)
    }

    @Test func slotsHeldByAnotherProcessCountAgainstTheCapacity() {
        let leases = [Self.lease(1, held: true, own: false), Self.lease(2, held: true, own: false), Self.lease(3)]
        let grants = SlotQueue.grants(for: leases, capacity: SlotQueueTests.twoCPUs, maxBypass: 4)
        #expect(grants == SlotGrants())
    }

    @Test func aWaitingEntryOfAnotherProcessIsGrantedToo() {
        let leases = [Self.lease(1, held: true), Self.lease(2, own: false), Self.lease(3)]
        let grants = SlotQueue.grants(for: leases, capacity: SlotQueueTests.twoCPUs, maxBypass: 4)
        #expect(grants == SlotGrants(started: [2]))
    }

    @Test func bypassesAreCountedAcrossPassesAndBounded() {
        var leases = [Self.lease(1, held: true, own: false), Self.lease(2, cpus: 2), Self.lease(3)]
        let first = SlotQueue.grants(for: leases, capacity: SlotQueueTests.twoCPUs, maxBypass: 2)
        #expect(first == SlotGrants(started: [3], bypassed: [2: 1]))
        leases = [Self.lease(1, held: true, own: false), Self.lease(2, cpus: 2, bypassed: 2), Self.lease(4)]
        let second = SlotQueue.grants(for: leases, capacity: SlotQueueTests.twoCPUs, maxBypass: 2)
        #expect(second == SlotGrants())
    }

    @Test(.timeLimit(.minutes(1)))
    func aSlotGivenBackInOnePoolIsTakenByTheJobRunWaitingInAnother() async {
        let ledger = LocalSlotLedger()
        let shared = SharedLedger(ledger: ledger)
        let oneCPU = Capacity(millicores: 1000, memoryBytes: 8 * SlotQueueTests.gib)
        let first = SlotPool(
            capacity: oneCPU, ledger: shared, pollInterval: .milliseconds(10), fullPassInterval: .milliseconds(10))
        let second = SlotPool(
            capacity: oneCPU, ledger: shared, pollInterval: .milliseconds(10), fullPassInterval: .milliseconds(10))
        #expect(await first.acquire(SlotQueueTests.request(1)))
        let waiting = Task { await second.acquire(SlotQueueTests.request(2)) }
        while ledger.leases.count < 2 { await Task.yield() }
        #expect(ledger.schedule { _ in SlotGrants() } == [1])
        // The first pool's pass grants the slot it gave back to the second pool's job run, which its own pass sees.
        await first.release(1)
        #expect(ledger.schedule { _ in SlotGrants() } == [2])
        #expect(await waiting.value)
        await second.release(2)
        #expect(ledger.leases.isEmpty)
    }
}

/// A ledger of this process that pools treat as shared with other processes (they look at it while waiting).
private struct SharedLedger: SlotLedgerAccess {
    let ledger: LocalSlotLedger
    var isShared: Bool { true }
    func enter(_ request: SlotRequest) { ledger.enter(request) }
    func schedule(_ decide: ([SlotLease]) -> SlotGrants) -> Set<Int64> { ledger.schedule(decide) }
    func release(_ id: Int64) { ledger.release(id) }
    func takeWake() -> Bool { false }
}
