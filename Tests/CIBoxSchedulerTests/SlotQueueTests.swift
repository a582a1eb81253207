// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxScheduler
import Testing

@Suite struct SlotQueueTests {
    static let gib: Int64 = 1_073_741_824
    static let twoCPUs = Capacity(millicores: 2000, memoryBytes: 8 * gib)

    static func request(
        _ id: Int64, cpus: Double = 1, memory: Int64 = 1, project: Int64 = 1, priority: Priority = .manual
    ) -> SlotRequest {
        SlotRequest(
            id: id, project: project, priority: priority, millicores: Int(cpus * 1000), memoryBytes: memory * gib
        )
    }

    @Test func fourOneCPUJobsOnTwoCPUsRunTwoAtATime() {
        var queue = SlotQueue(capacity: Self.twoCPUs)
        #expect(queue.enqueue(Self.request(1)) == [1])
        #expect(queue.enqueue(Self.request(2)) == [2])
        #expect(queue.enqueue(Self.request(3)) == [])
        #expect(queue.enqueue(Self.request(4)) == [])
        #expect(queue.used.millicores == 2000)
        #expect(queue.release(1) == [3])
        #expect(queue.release(2) == [4])
        #expect(queue.release(3) == [])
        #expect(queue.running.keys.sorted() == [4])
    }

    @Test func memoryIsACapacityToo() {
        var queue = SlotQueue(capacity: Capacity(millicores: 8000, memoryBytes: 4 * Self.gib))
        #expect(queue.enqueue(Self.request(1, memory: 3)) == [1])
        #expect(queue.enqueue(Self.request(2, memory: 2)) == [])
        #expect(queue.release(1) == [2])
    }

    @Test func smallerJobsMayPassABigOneButNotForever() {
        var queue = SlotQueue(capacity: Self.twoCPUs, maxBypass: 2)
        #expect(queue.enqueue(Self.request(1)) == [1])
        #expect(queue.enqueue(Self.request(2, cpus: 2)) == [])  // does not fit next to 1
        #expect(queue.enqueue(Self.request(3)) == [3])  // passes 2 (1st)
        #expect(queue.release(3) == [])
        #expect(queue.enqueue(Self.request(4)) == [4])  // passes 2 (2nd)
        #expect(queue.release(4) == [])
        #expect(queue.enqueue(Self.request(5)) == [])  // may not pass 2 any more
        #expect(queue.release(1) == [2])
        #expect(queue.release(2) == [5])
    }

    @Test func prePushGoesBeforeManualBeforeWatcher() {
        var queue = SlotQueue(capacity: Capacity(millicores: 1000, memoryBytes: 8 * Self.gib))
        #expect(queue.enqueue(Self.request(1)) == [1])
        _ = queue.enqueue(Self.request(2, priority: .watcher))
        _ = queue.enqueue(Self.request(3, priority: .manual))
        _ = queue.enqueue(Self.request(4, priority: .prePush))
        #expect(queue.waitingIDs == [4, 3, 2])
        #expect(queue.release(1) == [4])
        #expect(queue.release(4) == [3])
        #expect(queue.release(3) == [2])
    }

    @Test func projectsShareFairly() {
        var queue = SlotQueue(capacity: Self.twoCPUs)
        _ = queue.enqueue(Self.request(1, project: 1))
        _ = queue.enqueue(Self.request(2, project: 1))
        _ = queue.enqueue(Self.request(3, project: 1))
        _ = queue.enqueue(Self.request(4, project: 1))
        _ = queue.enqueue(Self.request(5, project: 2))
        // Project 1 holds both slots; project 2's job goes first when one frees up.
        #expect(queue.waitingIDs == [5, 3, 4])
        #expect(queue.release(1) == [5])
    }

    @Test func withdrawnRequestsNeverStart() {
        var queue = SlotQueue(capacity: Capacity(millicores: 1000, memoryBytes: 8 * Self.gib))
        _ = queue.enqueue(Self.request(1))
        _ = queue.enqueue(Self.request(2))
        _ = queue.enqueue(Self.request(3))
        #expect(queue.withdraw(2) == [])
        #expect(queue.release(1) == [3])
    }

    @Test(arguments: [(TriggerKind.prePush, Priority.prePush), (.manual, .manual), (.push, .watcher), (.api, .manual)])
    func triggersMapToPriorities(_ trigger: TriggerKind, _ priority: Priority) {
        #expect(Priority(trigger) == priority)
    }
}
