// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension JobRunner {
    /// `persist_to_workspace`.
    func runPersistToWorkspace(
        _ action: PersistToWorkspaceAction, context: StepContext, logFD: Int32
    ) -> (StepResult, String?) {
        skipped("persist_to_workspace", logFD: logFD)
    }

    /// `attach_workspace`.
    func runAttachWorkspace(at: String, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        skipped("attach_workspace", logFD: logFD)
    }
}
