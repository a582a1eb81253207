// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxStore

/// What the API reads: the home's store, its artifacts, and `cibox status`'s report.
package struct APISources: Sendable {
    /// The home's database and logs.
    package var store: PipelineStore
    /// Where artifacts are kept (settings' storage folder, else the home).
    package var storageDirectory: String
    /// The object `cibox status --json` prints.
    package var status: @Sendable () throws -> JSONValue

    /// Sources for the API.
    package init(store: PipelineStore, storageDirectory: String, status: @escaping @Sendable () throws -> JSONValue) {
        self.store = store
        self.storageDirectory = storageDirectory
        self.status = status
    }
}
