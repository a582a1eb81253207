// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Testing

/// How many end-to-end tests run at once: one per core, awaited rather than blocking a thread.
///
/// Each end-to-end test runs real `cibox` processes and their jobs, and many of them check timing (a step seen
/// running within its 1.5 s, a daemon's log within 10 s). When each test blocked a cooperative thread while its
/// programs ran, the pool's width (one thread per core) also capped how many ran at once; now that they await, every
/// suite would start at the same moment and the machine's load would decide those checks. A test waits here for a
/// free slot without holding a thread, so in-process async tests of other targets go on meanwhile.
actor MachineSlots {
    /// The slots shared by every end-to-end suite: one per active core.
    static let shared = MachineSlots(count: max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Whether the current task (a serialized suite and the tests it runs) already holds a slot.
    @TaskLocal static var isHeld = false

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Makes `count` free slots.
    init(count: Int) {
        free = count
    }

    /// Runs `body` once a slot is free (at once when the current task already holds one), and frees it when `body`
    /// ends (returning or throwing).
    /// - Throws: what `body` throws.
    nonisolated func run(_ body: @Sendable () async throws -> Void) async throws {
        if Self.isHeld {
            try await body()
            return
        }
        await acquire()
        do {
            try await Self.$isHeld.withValue(true) { try await body() }
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// The trait that runs end-to-end tests in ``MachineSlots``: a suite marked `.serialized` holds one slot while its
/// tests run one after another; in any other suite, each test case takes a slot of its own.
///
/// A serialized suite's slot is taken outside its tests' time limits (`.timeLimit` counts from the start of a test
/// case's scope), so a test's limit never includes the time its suite waited for a slot. Its tests see that the
/// slot is held (``MachineSlots/isHeld``) and take no second one, which two suites holding both slots would wait
/// for forever.
struct MachineSlotTrait: SuiteTrait, TestTrait, TestScoping {
    /// Applies to every test of the suite, and of its nested suites.
    var isRecursive: Bool { true }

    /// The suite itself when it is serialized, and each test case.
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        if test.isSuite { return test.traits.contains { $0 is ParallelizationTrait } ? self : nil }
        return testCase == nil ? nil : self
    }

    /// Runs the suite or test case in a free slot.
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await MachineSlots.shared.run(function)
    }
}

extension Trait where Self == MachineSlotTrait {
    /// Runs the suite's tests in ``MachineSlots``, so that at most one end-to-end test per core runs at a time.
    static var machineSlot: Self { MachineSlotTrait() }
}
