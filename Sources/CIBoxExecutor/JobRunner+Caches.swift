// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension JobRunner {
    /// `save_cache`.
    func runSaveCache(_ action: SaveCacheAction, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        skipped("save_cache", logFD: logFD)
    }

    /// `restore_cache`.
    func runRestoreCache(_ action: RestoreCacheAction, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        skipped("restore_cache", logFD: logFD)
    }

    /// A built-in step this build does not run yet.
    func skipped(_ key: String, logFD: Int32) -> (StepResult, String?) {
        let bytes = StepLog.write("cibox does not run '\(key)' steps yet; skipped\n", to: logFD)
        return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
    }
}
