// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
import CIBoxImages
package import CIBoxRegistry

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
    /// Where and when images are pulled; nil: never (a Slurm node's agent: cibox pulled before submitting).
    package var registry: RegistryOptions?

    /// Makes options.
    package init(
        mode: ContainerSandboxProvider.Mode, aliases: [String: String], network: ContainerNetwork, storeFolder: String,
        registry: RegistryOptions? = nil
    ) {
        self.mode = mode
        self.aliases = aliases
        self.network = network
        self.storeFolder = storeFolder
        self.registry = registry
    }

    /// The reference to look up for `image` as the config writes it: its alias when it has one (the alias's key
    /// may be written either way, `node:20` or `docker.io/library/node:20`).
    package func resolved(_ image: String) -> String {
        Self.resolved(image, aliases: aliases)
    }

    /// `image` through `aliases`: the value of its key, written either way.
    static func resolved(_ image: String, aliases: [String: String]) -> String {
        if let alias = aliases[image] { return alias }
        guard let normal = try? ImageReference(parsing: image).description else { return image }
        for (key, value) in aliases where (try? ImageReference(parsing: key).description) == normal { return value }
        return image
    }

    /// What pulls a job's images before it takes a slot; nil when images are not used or never pulled.
    /// - Parameter say: told each line of a pull's progress.
    package func preparer(say: @escaping @Sendable (String) -> Void) -> (any JobPreparer)? {
        guard mode != .host, let registry else { return nil }
        return ImagePreparer(
            options: self, puller: ImagePuller(store: ImageStore(home: storeFolder), options: registry), say: say)
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
