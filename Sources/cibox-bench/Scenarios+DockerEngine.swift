// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// A job with a Docker engine of its own (`setup_remote_docker`, `docker build` of a two-line Dockerfile on the
    /// sample image, `docker run --rm` of the result), whole `cibox run`, against the same build and run with plain
    /// `podman` on this machine; and its two parts: the engine's start against `podman system service` starting on
    /// a loaded store, and the docker steps against the same podman commands.
    static func dockerEngine(_ context: BenchContext) throws -> [BenchRow] {
        let tools = try DockerEngineTools()
        let work = try BenchFixtures.temporaryFolder("cibox-bench-engine")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let home = work + "/home"
        // cibox keeps a home's engine sockets under /run/cibox (named after the home), which outlives the home.
        let sockets = "/run/cibox/" + StableHash.hex(of: CIBoxHome.resolve(option: home, environment: [:])).prefix(12)
        defer { try? FileManager.default.removeItem(atPath: sockets) }
        let binary = BenchFixtures.ciboxBinary
        try BenchFixtures.sampleImages(into: work + "/images")
        try BenchFixtures.run(binary, ["image", "load", work + "/images/app.tar", "--home", home])
        let repository = try BenchFixtures.repository([
            ".circleci/config.yml": """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - checkout
                  - setup_remote_docker
                  - run: docker build -t bench/app .
                  - run: docker run --rm bench/app true
            workflows:
              w:
                jobs: [build]

            """,
            "Dockerfile": "FROM cibox-samples/app:1\nRUN echo built > /built.txt\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: repository) }
        let runs = max(3, context.iterations / 4)
        let whole = try Clock.medianMilliseconds(runs) {
            try spawnAndWait(binary, ["run", repository, "--home", home], quiet: true)
        }
        let steps = try engineSteps(home: home, pipelines: runs)
        let store = try BenchPodman(tools.podman, loading: work + "/images/app.tar")
        defer { store.remove() }
        let commands = try podmanBuildAndRun(store, folder: repository, runs: runs)
        let service = try podmanService(store, curl: tools.curl, runs: runs)
        return [
            BenchRow(
                scenario:
                    "docker-engine: `cibox run` of checkout, setup_remote_docker, docker build, docker run --rm "
                    + "(whole, median of \(runs))",
                figure: whole, baseline: commands, unit: "ms",
                baselineName: "`podman build` + `podman run --rm` on the host", goal: "≤ baseline + 1.5 s"),
            BenchRow(
                scenario: "docker-engine: the setup_remote_docker step (engine up: namespaces, images given, proxy)",
                figure: steps.engine, baseline: service, unit: "ms",
                baselineName: "`podman system service` until `/_ping` answers", goal: "≤ baseline + 0.5 s"),
            BenchRow(
                scenario: "docker-engine: the `docker build` + `docker run --rm` steps, through the job's engine",
                figure: steps.docker, baseline: commands, unit: "ms",
                baselineName: "the same with `podman` on the host", goal: "≤ 1.25×"),
        ]
    }

    /// The median milliseconds of the `setup_remote_docker` step and of the two docker steps together, over the last
    /// `pipelines` pipelines of `home` (steps 1, 2 and 3 of the job, as the bench's config writes them).
    private static func engineSteps(home: String, pipelines: Int) throws -> (engine: Double, docker: Double) {
        let history = try PipelineStore(home: home).history
        var engine: [Double] = []
        var docker: [Double] = []
        for pipeline in try history.pipelines(limit: pipelines) {
            let steps = try history.pipelineDetail(id: pipeline.id)?.workflows.first?.jobs.first?.steps ?? []
            let seconds = steps.map { step in
                step.startedAt.flatMap { start in step.finishedAt.map { $0.timeIntervalSince(start) } }
            }
            guard pipeline.status == .success, seconds.count == 4, let setup = seconds[1], let build = seconds[2],
                let run = seconds[3]
            else { throw BenchError("pipeline \(pipeline.id) ended \(pipeline.status.rawValue) or lacks its steps") }
            engine.append(setup * 1000)
            docker.append((build + run) * 1000)
        }
        return (median(engine), median(docker))
    }

    /// `podman build` of the same folder and `podman run --rm` of the result, the median milliseconds of `runs`.
    /// Each build starts with no cache, as a job's engine does (its storage is the job's).
    private static func podmanBuildAndRun(_ store: BenchPodman, folder: String, runs: Int) throws -> Double {
        let build =
            store.global + ["build", "--pull=never", "--network", "none"] + BenchPodman.limits
            + ["-t", "bench/app", folder]
        let run =
            store.global + ["run", "--rm", "--network", "none"] + BenchPodman.limits
            + ["--pull", "never", "localhost/bench/app", "true"]
        var samples: [Double] = []
        for _ in 0..<runs {
            let seconds = try Clock.seconds {
                try spawnAndWait(store.podman, build, quiet: true)
                try spawnAndWait(store.podman, run, quiet: true)
            }
            samples.append(seconds * 1000)
            try BenchFixtures.run(store.podman, store.global + ["rmi", "-f", "localhost/bench/app"])
        }
        return median(samples)
    }

    /// `podman system service` on the store, from its start until `GET /_ping` answers (asked with curl every 25 ms,
    /// as cibox asks its engines), the median milliseconds of `runs`; each service is stopped before the next.
    private static func podmanService(_ store: BenchPodman, curl: String, runs: Int) throws -> Double {
        var samples: [Double] = []
        for round in 0..<runs {
            let socket = store.folder + "/service-\(round).sock"
            let ping = ["-sf", "-o", "/dev/null", "--unix-socket", socket, "http://podman/_ping"]
            let service = Process()
            service.executableURL = URL(fileURLWithPath: store.podman)
            service.arguments = store.global + ["system", "service", "--time", "0", "unix://" + socket]
            service.standardOutput = FileHandle.nullDevice
            service.standardError = FileHandle.nullDevice
            let start = DispatchTime.now().uptimeNanoseconds
            try service.run()
            defer {
                if service.isRunning { service.terminate() }
                service.waitUntilExit()
            }
            while (try? BenchFixtures.run(curl, ping)) == nil {
                guard service.isRunning, DispatchTime.now().uptimeNanoseconds - start < 60_000_000_000 else {
                    throw BenchError("podman system service did not answer on \(socket)")
                }
                usleep(25_000)
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return median(samples)
    }
}

/// The programs a job's Docker engine and this scenario's anchors need, found, or why the scenario cannot run.
private struct DockerEngineTools {
    let podman: String
    let curl: String

    init() throws {
        func find(_ name: String) -> String? {
            BenchFixtures.which(name)
                ?? ["/usr/sbin/\(name)", "/sbin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let names = ["podman", "skopeo", "unshare", "runc", "docker", "curl"]
        let missing = names.filter { find($0) == nil }
        guard getuid() == 0, missing.isEmpty, let podman = find("podman"), let curl = find("curl") else {
            throw BenchError(
                "a job's Docker engine needs root and podman, skopeo, unshare, runc, a docker client and curl"
                    + (missing.isEmpty ? " (not root)" : " (missing: \(missing.joined(separator: ", ")))"))
        }
        self.podman = podman
        self.curl = curl
    }
}
