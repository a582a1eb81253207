// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SlotLedgerTests {
    static func request(_ id: Int64) -> SlotRequest {
        SlotRequest(id: id, project: 1, priority: .manual, millicores: 1000, memoryBytes: 0)
    }

    /// Grants waiting entries, oldest first, while they fit in one CPU.
    static func oneCPU(_ leases: [SlotLease]) -> SlotGrants {
        var used = leases.filter(\.isHeld).reduce(0) { $0 + $1.request.millicores }
        var started: [Int64] = []
        for lease in leases where !lease.isHeld && used + lease.request.millicores <= 1000 {
            used += lease.request.millicores
            started.append(lease.request.id)
        }
        return SlotGrants(started: started)
    }

    @Test func aWaitingEntryOfAnotherProcessIsGrantedByWhoeverRunsThePass() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let slots = try PipelineStore(home: home.path).slots
        let me = try #require(ProcessIdentity.current)
        let other = ProcessIdentity(pid: 1, startTime: try #require(ProcessIdentity.of(1)).startTime)
        try slots.enter(Self.request(7), owner: other)
        try slots.enter(Self.request(8), owner: me)
        #expect(try slots.schedule(owner: me, decide: Self.oneCPU) == [])
        let seen = try slots.leases(owner: other)
        #expect(seen.map(\.request.id) == [7, 8])
        #expect(seen.map(\.isHeld) == [true, false])
        #expect(seen.map(\.isOwn) == [true, false])
        try slots.release(jobID: 7, owner: other)
        #expect(try slots.schedule(owner: me, decide: Self.oneCPU) == [8])
    }

    @Test(.timeLimit(.minutes(1)))
    func theLeaseOfAProcessKilledWithSIGKILLIsGivenBack() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let slots = try PipelineStore(home: home.path).slots
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        let killed = try #require(ProcessIdentity.of(sleeper.processIdentifier))
        try slots.enter(Self.request(1), owner: killed)
        #expect(try slots.schedule(owner: killed, decide: Self.oneCPU) == [1])
        let me = try #require(ProcessIdentity.current)
        try slots.enter(Self.request(2), owner: me)
        #expect(try slots.schedule(owner: me, decide: Self.oneCPU) == [])
        kill(sleeper.processIdentifier, SIGKILL)
        try await sleeper.ended()
        #expect(try slots.schedule(owner: me, decide: Self.oneCPU) == [2])
        #expect(try slots.leases(owner: me).map(\.request.id) == [2])
    }
}
