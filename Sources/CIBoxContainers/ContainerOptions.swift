// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
import CIBoxImages

/// How jobs use their images, as the settings say (`images:`), in a form a Slurm node's agent receives with the
/// job: the mode, the aliases, the network and where the image store is.
package struct ContainerOptions: Codable, Sendable, Equatable {
    /// `auto`, `required` or `host`.
    package var mode: ContainerSandboxProvider.Mode
    /// References as the config writes them → the ones to use.
    package var aliases: [String: String]
    /// The containers' network.
    package var network: ContainerNetwork
    /// The folder holding the image store (`<folder>/images`): the storage folder, shared with Slurm nodes.
    package var storeFolder: String

    /// Makes options.
    package init(
        mode: ContainerSandboxProvider.Mode, aliases: [String: String], network: ContainerNetwork, storeFolder: String
    ) {
        self.mode = mode
        self.aliases = aliases
        self.network = network
        self.storeFolder = storeFolder
    }

    /// The sandboxes of jobs run with these options: their images' when they can have them, else `host`.
    /// - Parameters:
    ///   - home: the cibox home (runc's state folder is named after it).
    ///   - helper: the `cibox` program the helper and `circleci-agent` run in containers.
    ///   - warn: told once per missing image, or once when containers cannot run here.
    package func provider(
        home: String, helper: String, host: any SandboxProvider = HostSandboxProvider(),
        warn: @escaping @Sendable (String) -> Void
    ) -> any SandboxProvider {
        guard mode != .host else { return host }
        let runtime = Runc.find(home: home).flatMap {
            ContainerRuntime(
                runc: $0, agentExecutable: SandboxAgent.executable, helperExecutable: helper, network: network)
        }
        return ContainerSandboxProvider(
            store: ImageStore(home: storeFolder), runtime: runtime, mode: mode, aliases: aliases, host: host,
            warn: warn)
    }
}
