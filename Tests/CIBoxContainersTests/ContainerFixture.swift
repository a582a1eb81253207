// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization

/// Whether containers can run here: root (runc needs it without a user namespace), runc and busybox-static.
let canRunContainers =
    getuid() == 0 && access("/bin/busybox", X_OK) == 0 && Runc.find(home: "/") != nil
    && CgroupManager.system().mode != .none
/// Why container tests are skipped elsewhere.
let containersNeed = "containers need root, runc, busybox-static and cgroups"

/// A throwaway home with an image store holding the test's images, and a job request that runs in them.
struct ContainerFixture {
    let home: TemporaryDirectory
    let store: ImageStore

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-containers")
        chmod(home.path, 0o755)
        store = ImageStore(home: home.path)
    }

    /// Loads `image` as `reference`.
    func load(_ image: TestImage, as reference: String) throws {
        let archive = try TestImageArchive.dockerArchive(image, repoTags: [reference])
        let path = home.appending("image-\(UUID().uuidString.prefix(6)).tar")
        try archive.writeArchive(to: path)
        _ = try store.load(path)
    }

    /// A job of `steps` in the `docker:` entries `images`.
    func request(
        _ steps: [StepPlan], images: [DockerImage], jobID: Int64 = 7, environment: [EnvironmentVariable] = [],
        workingDirectory: String = "~/project"
    ) -> JobRunRequest {
        var spec = JobSpec(
            definitionName: "build", executor: ExecutorLabel(kind: "docker", image: images.first?.image),
            workingDirectory: workingDirectory, environment: environment, steps: steps)
        spec.dockerImages = images
        var request = JobRunRequest(
            jobID: jobID, jobName: "build", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 1,
            projectName: "app", repositoryPath: "/srv/app", revision: String(repeating: "c", count: 40),
            branch: "main", tag: nil, nodeIndex: 0, parallelism: 1, spec: spec,
            workDirectory: home.appending("work/\(jobID)"), logDirectory: home.appending("logs/\(jobID)"),
            source: FixtureCheckout(), inheritedEnvironment: ProcessInfo.processInfo.environment,
            keepsWorkDirectory: false)
        request.limits = ResourceLimits(millicores: 1000, memoryBytes: 512 << 20, pids: 256)
        request.stateDirectory = home.path
        return request
    }

    /// The provider of image sandboxes over this fixture's store.
    func provider(mode: ContainerSandboxProvider.Mode = .required, network: ContainerNetwork = .loopback)
        -> ContainerSandboxProvider
    {
        let runc = Runc.find(home: home.path) ?? Runc(executable: "/usr/sbin/runc", stateFolder: home.appending("runc"))
        return ContainerSandboxProvider(
            store: store,
            runtime: ContainerRuntime(
                runc: runc, agentExecutable: SandboxAgent.executable, helperExecutable: SandboxAgent.cibox,
                network: network),
            mode: mode, host: HostSandboxProvider())
    }

    /// Runs `request` in its images.
    func run(_ request: JobRunRequest, mode: ContainerSandboxProvider.Mode = .required) async -> JobResult {
        let executor = LocalExecutor(cgroups: CgroupManager.system(), sandboxes: provider(mode: mode))
        let result = await executor.run(request, observer: SilentObserver())
        await ContainerCleanups.shared.drain()
        return result
    }

    /// The log of step `index`.
    func log(_ jobID: Int64 = 7, step index: Int) -> String {
        (try? String(contentsOfFile: home.appending("logs/\(jobID)/\(index).log"), encoding: .utf8)) ?? ""
    }
}

/// Writes one file instead of a real checkout.
struct FixtureCheckout: SourceCheckout {
    func checkout(into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("checked out\n".utf8).write(to: URL(fileURLWithPath: directory + "/README"))
        return "checked out into \(directory)"
    }
}

/// Ignores step events.
struct SilentObserver: JobObserver {
    func stepStarted(jobID: Int64, index: Int, at date: Date) async {}
    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {}
}

/// A run step.
func step(_ command: String, name: String? = nil) -> StepPlan {
    StepPlan(name: name ?? command, action: .run(RunAction(command: command)))
}

extension ContainerFixture {
    /// What job `jobID` left behind: mounts under the home, containers in runc's state, cgroup folders, processes
    /// whose command line contains `marker`.
    func leftovers(jobID: Int64 = 7, marker: String? = nil) async -> [String] {
        var found = Overlay.mounts(under: home.path).map { "mount \($0)" }
        if let runc = Runc.find(home: home.path) {
            found += await runc.containers().map { "container \($0)" }
        }
        let prefix = CgroupManager.groupPrefix(stateDirectory: home.path, jobID: jobID)
        found += Self.folders(named: prefix, under: "/sys/fs/cgroup", depth: 7).map { "cgroup \($0)" }
        if let marker {
            for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap({ Int32($0) }) ?? []
            {
                let bytes = FileReader.contents(atPath: "/proc/\(pid)/cmdline") ?? []
                let line = String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
                if line.contains(marker) { found.append("process \(pid) \(line)") }
            }
        }
        return found
    }

    private static func folders(named prefix: String, under folder: String, depth: Int) -> [String] {
        guard depth > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [String] = []
        for entry in entries {
            let path = folder + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            if entry.hasPrefix(prefix) { found.append(path) }
            found += folders(named: prefix, under: path, depth: depth - 1)
        }
        return found
    }
}
