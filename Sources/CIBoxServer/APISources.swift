// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxStore

/// What the API reads and acts on: the home's store, its artifacts, `cibox status`'s report and the pipeline actions.
package struct APISources: Sendable {
    /// The home's database and logs.
    package var store: PipelineStore
    /// Where artifacts are kept (settings' storage folder, else the home).
    package var storageDirectory: String
    /// The object `cibox status --json` prints.
    package var status: @Sendable () throws -> JSONValue
    /// What operators may change (trigger, cancel, rerun, approve).
    package var actions: PipelineActions

    /// Sources for the API.
    package init(
        store: PipelineStore, storageDirectory: String, actions: PipelineActions,
        status: @escaping @Sendable () throws -> JSONValue
    ) {
        self.store = store
        self.storageDirectory = storageDirectory
        self.actions = actions
        self.status = status
    }
}
