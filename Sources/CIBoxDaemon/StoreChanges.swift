// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore

/// Tells an idle poller of the store whether to ask it again: yes when its change stamp moved since the last yes,
/// and in any case once `refresh` has passed (a file system whose times are too coarse could hide a commit).
struct StoreChanges {
    let store: PipelineStore
    var refresh: Duration = .seconds(60)
    private var last: StoreChangeStamp?
    private var lastYes: ContinuousClock.Instant?

    init(store: PipelineStore) {
        self.store = store
    }

    /// Whether the store may hold something new since the last time this said yes.
    mutating func mayHaveChanged() -> Bool {
        let stamp = store.changeStamp
        let now = ContinuousClock.now
        if stamp == last, let lastYes, now - lastYes < refresh { return false }
        last = stamp
        lastYes = now
        return true
    }

    /// Makes the next ``mayHaveChanged()`` say yes: the last look failed, so what it missed is still there.
    mutating func forget() {
        last = nil
    }
}
