// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

/// What cibox runs containers with: runc, its own agent and program, this machine's loader and libraries, and the
/// network containers get.
package struct ContainerRuntime: Sendable {
    /// The OCI runtime.
    package var runc: Runc
    /// `cibox-sandbox`, every container's first process.
    package var agentExecutable: String
    /// The `cibox` program the helper and `circleci-agent` run (bound at `/.cibox/cibox`).
    package var helperExecutable: String
    /// How that program runs in any image.
    var libraries: HostLibraries
    /// The network of a job's containers.
    package var network: ContainerNetwork

    /// A runtime with this machine's loader and libraries; nil when they cannot be found.
    package init?(
        runc: Runc, agentExecutable: String, helperExecutable: String, network: ContainerNetwork
    ) {
        guard let libraries = HostLibraries.current else { return nil }
        self.runc = runc
        self.agentExecutable = agentExecutable
        self.helperExecutable = helperExecutable
        self.libraries = libraries
        self.network = network
    }
}

/// The network of a job's containers.
package enum ContainerNetwork: String, Sendable, Codable {
    /// A network namespace per job with loopback only: a job reaches its own services and nothing else.
    case loopback
    /// This machine's network (for package registries); services of parallel jobs share its ports.
    case host
}
