// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Hands out job slots to the job runs of every pipeline in this process, from a ledger (``SlotLedgerAccess``)
/// that other cibox processes of the home may share, as ``SlotQueue`` decides over all of its entries.
///
/// Each acquire, release and withdrawal runs one scheduling pass at once, which grants slots to whichever
/// process's entries start (and wakes those processes). While job runs wait on a shared ledger, the pool looks for
/// such a wake every `pollInterval` (one system call, no read of the ledger: hundreds of waiting processes cost the
/// database nothing) and runs a pass when it finds one, and anyway about every `fullPassInterval` (jittered), which
/// notices the leases of processes that died. Intervals are real time: the other processes live in it.
///
/// A ledger that cannot be written for a moment is tried again at the next pass: a waiting job run waits on, a slot
/// not yet given back is given back later (and is free anyway once this process ends).
/// Waiting is cancellable: a cancelled waiter leaves the ledger and gets no slot.
package actor SlotPool {
    /// The capacity shared.
    package let capacity: Capacity
    private let maxBypass: Int
    private let ledger: any SlotLedgerAccess
    private let pollInterval: Duration
    private let fullPassInterval: Duration
    private var nextFullPass = ContinuousClock.now
    private var waiters: [Int64: CheckedContinuation<Bool, Never>] = [:]
    /// Waiting job runs not yet recorded in the ledger (it failed); recorded at the next pass.
    private var unentered: [Int64: SlotRequest] = [:]
    /// Job runs whose slot could not be given back yet.
    private var unreleased: Set<Int64> = []
    private var poller: Task<Void, Never>?

    /// Makes a pool over `capacity`.
    /// - Parameters:
    ///   - maxBypass: how often later job runs may overtake one that does not fit (``SlotQueue``).
    ///   - ledger: where slots are recorded (default: this process's own).
    ///   - pollInterval: how often waiting job runs look for a wake from another process.
    ///   - fullPassInterval: about how often (0.5 to 1.5 times) waiting job runs read a shared ledger anyway.
    package init(
        capacity: Capacity, maxBypass: Int = 4, ledger: any SlotLedgerAccess = LocalSlotLedger(),
        pollInterval: Duration = .milliseconds(100), fullPassInterval: Duration = .seconds(3)
    ) {
        self.capacity = capacity
        self.maxBypass = maxBypass
        self.ledger = ledger
        self.pollInterval = pollInterval
        self.fullPassInterval = fullPassInterval
    }

    /// Waits for a slot for `request`; returns false when the task was cancelled before it got one.
    package func acquire(_ request: SlotRequest) async -> Bool {
        if Task.isCancelled { return false }
        do { try ledger.enter(request) } catch { unentered[request.id] = request }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[request.id] = continuation
                pass()
                startPolling()
            }
        } onCancel: {
            Task { await self.withdraw(request.id) }
        }
    }

    /// Gives job run `id`'s slot back.
    package func release(_ id: Int64) {
        giveBack(id)
        pass()
    }

    private func withdraw(_ id: Int64) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        unentered[id] = nil
        giveBack(id)
        pass()
        continuation.resume(returning: false)
    }

    private func giveBack(_ id: Int64) {
        do { try ledger.release(id) } catch { unreleased.insert(id) }
    }

    /// One scheduling pass; wakes this process's job runs that got a slot.
    private func pass() {
        nextFullPass = .now + fullPassInterval * Double.random(in: 0.5...1.5)
        for id in unreleased where (try? ledger.release(id)) != nil { unreleased.remove(id) }
        for (id, request) in unentered where (try? ledger.enter(request)) != nil { unentered[id] = nil }
        let (capacity, maxBypass) = (capacity, maxBypass)
        guard
            let held = try? ledger.schedule({ SlotQueue.grants(for: $0, capacity: capacity, maxBypass: maxBypass) })
        else { return }
        for id in held {
            waiters.removeValue(forKey: id)?.resume(returning: true)
        }
        // A wake that came after this process had seen its grant on its own is no longer news.
        if waiters.isEmpty { _ = ledger.takeWake() }
    }

    private func startPolling() {
        guard ledger.isShared || !unentered.isEmpty, poller == nil, !waiters.isEmpty else { return }
        poller = Task { [pollInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                guard self.poll() else { return }
            }
        }
    }

    /// A look while job runs wait (a pass when woken or due); false once none waits (the poller then ends).
    private func poll() -> Bool {
        if ledger.takeWake() || ContinuousClock.now >= nextFullPass { pass() }
        if waiters.isEmpty { poller = nil }
        return !waiters.isEmpty
    }
}
