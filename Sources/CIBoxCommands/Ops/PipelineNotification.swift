// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
package import CIBoxModel
import CIBoxPresentation
package import CIBoxStore

/// What the daemon calls when a pipeline finishes: runs `notify.command` with the pipeline's `--json` object.
package enum PipelineNotification {
    /// Notifies about pipeline `pipelineID` (nothing when no command is set or the pipeline is gone).
    /// Never throws: a failure is said on standard error, its control characters escaped.
    package static func send(pipelineID: Int64, store: PipelineStore, settings: Settings) async {
        guard settings.notifyCommand != nil, let detail = try? store.history.pipelineDetail(id: pipelineID) else {
            return
        }
        let artifacts = ArtifactStore(home: settings.storageDirectory(home: store.home))
        let json = PipelineJSON.detail(detail, artifacts: { artifacts.list(jobID: $0) }).rendered()
        // The failure names the command and quotes its output: escaped, as every message cibox prints.
        await Notifier.notify(json: json, settings: settings) { Terminal.error("cibox: \($0)\n") }
    }
}
