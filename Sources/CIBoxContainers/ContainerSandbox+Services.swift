// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ContainerSandbox {
    /// Starts the service containers (the 2nd and later `docker:` entries), in order and without waiting for them
    /// to be ready, as CircleCI does: each on its own image, in the primary's network namespace (so it is reached
    /// on `localhost` and by its name), in a cgroup inside the job's, its output kept as a log of the job.
    func startServices(after primary: ContainerBundle) async throws(ExecutorError) {
        guard !services.isEmpty else { return }
        guard let primaryPID = primary.initPID else {
            throw ExecutorError(.spawnFailed, "The job's container is not running: its services cannot start.")
        }
        for (index, service) in services.enumerated() {
            let name = "svc-\(index + 1)"
            let bundle = try makeBundle(name: name, image: service)
            let network: RuntimeConfig.NetworkNamespace =
                runtime.network == .host ? .host : .join("/proc/\(primaryPID)/ns/net")
            let config = RuntimeConfig.container(
                arguments: [Self.agentPath, "--control", "3"], hostname: hostName, binds: commonBinds, network: network,
                cgroupsPath: isolation.runtimeCgroupsPath(container: bundle.id, child: name),
                openFiles: RuntimeConfig.openFilesLimit)
            try await bundle.start(config, runc: runtime.runc)
            try await startProcess(of: service, in: bundle)
        }
    }

    /// Starts the service's own process: `entrypoint` (else the image's) with `command` (else the image's `Cmd`,
    /// unless `entrypoint` is given: as Docker), the image's `Env` under the entry's `environment`, as `user` (else
    /// the image's), in the image's working folder.
    private func startProcess(of service: ContainerImage, in bundle: ContainerBundle) async throws(ExecutorError) {
        guard let agent = bundle.agent else {
            throw ExecutorError(.spawnFailed, "The service container of '\(service.entry.image)' is not running.")
        }
        let configuration = service.configuration
        let entrypoint = service.entry.entrypoint ?? configuration.entrypoint ?? []
        let command = service.entry.command ?? (service.entry.entrypoint == nil ? configuration.cmd ?? [] : [])
        let arguments = entrypoint + command
        guard !arguments.isEmpty else {
            throw ExecutorError(
                .spawnFailed,
                "The service image '\(service.entry.image)' has no entrypoint or command: give it `command:` in the "
                    + "config.")
        }
        var environment = service.environment
        if environment["PATH"] == nil {
            environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        for variable in service.entry.environment { environment[variable.name] = variable.value }
        let user = try service.users.account(service.entry.user ?? configuration.user ?? "", image: service.entry.image)
        if environment["HOME"] == nil { environment["HOME"] = user.home }
        let log = try ServiceLog(
            path: request.logDirectory + "/containers/" + service.hostName + ".log", secrets: request.secrets)
        appendLog(log)
        defer { log.closeWriter() }
        let process = try await start(
            arguments, through: agent, in: bundle, image: service, user: user,
            directory: configuration.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/", makesDirectory: false,
            environment: environment, input: nil, output: log.writeEnd, errorOutput: log.writeEnd)
        // A service that ends while the job runs does not fail it (CircleCI's behaviour); its log says so.
        Task { [weak self] in
            let ended = await process.exited()
            guard let self, !self.isStopping else { return }
            log.note("cibox: the service '\(service.hostName)' ended with status \(ended.exitCode) while the job ran\n")
        }
    }
}
