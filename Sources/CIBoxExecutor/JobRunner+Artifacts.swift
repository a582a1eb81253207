// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension JobRunner {
    /// `store_artifacts`.
    func runStoreArtifacts(path: String, destination: String?, context: StepContext, logFD: Int32) -> (
        StepResult, String?
    ) {
        skipped("store_artifacts", logFD: logFD)
    }
}
