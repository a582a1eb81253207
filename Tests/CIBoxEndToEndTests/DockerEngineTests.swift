// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// The programs a job's Docker engine and the tests' docker client need.
let canRunEngines =
    getuid() == 0
    && ["/usr/bin/podman", "/usr/bin/skopeo", "/usr/bin/unshare", "/usr/sbin/runc"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    && ["/usr/bin/docker", "/usr/local/bin/docker"].contains { FileManager.default.isExecutableFile(atPath: $0) }

/// `setup_remote_docker`: a job's own Docker engine (Podman's Docker API), driven with a real docker client from the
/// job's steps, seeded from cibox's image store, inside the job's cgroup, and gone after the job.
@Suite(
    .serialized, .machineSlot,
    .enabled(if: canRunEngines, "a job's Docker engine needs root, podman, skopeo, unshare, runc and a docker client"))
struct DockerEngineTests {
    /// A home with the sample images in its store, and a repository with `jobs` (YAML under `jobs:`).
    static func setUp(jobs: String, settings: String = "") async throws -> (CLI, GitFixture, TemporaryDirectory) {
        let cli = try CLI()
        let images = try TemporaryDirectory(prefix: "cibox-engine-images")
        let built = try await ProcessRunner.run(SampleImagesTests.script, [images.path])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try await cli.run(["image", "load", images.appending("app.tar")]).status == 0)
        if !settings.isEmpty { try cli.home.write(settings, to: "settings.yml") }
        let names = jobs.split(separator: "\n").filter {
            $0.hasPrefix("  ") && !$0.hasPrefix("   ") && $0.hasSuffix(":")
        }
        .map { $0.trimmingCharacters(in: .whitespaces).dropLast() }
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n\(jobs)\nworkflows:\n  w:\n    jobs: [\(names.joined(separator: ", "))]\n")
        return (cli, repo, images)
    }

    /// What is left of the home's engines: service processes, mounts under the home, socket folders.
    static func leftovers(_ cli: CLI) async throws -> [String] {
        var left: [String] = []
        let processes = try await ProcessRunner.run("/usr/bin/pgrep", ["-af", "podman system service"])
        left += processes.stdout.split(separator: "\n").filter { $0.contains(cli.home.path) }.map(String.init)
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        left += mounts.split(separator: "\n").filter { $0.contains(cli.home.path) }.map(String.init)
        let work = (try? FileManager.default.contentsOfDirectory(atPath: cli.home.appending("work"))) ?? []
        left += work.filter { $0.hasSuffix(".cibox") }
        return left
    }

    @Test func aMachineJobBuildsAnImageFromTheStoreAndRunsItWithNothingLeft() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  build:
                    machine: true
                    steps:
                      - setup_remote_docker: { version: "20.10.24" }
                      - run: printf 'FROM cibox-samples/app:1\\nRUN echo built > /built.txt\\n' > Dockerfile && docker build -q -t e2e:1 .
                      - run: docker run --rm e2e:1 cat /built.txt
                      - run: docker run e2e:1 sh -c 'exit 3' || echo "exit $?"
                      - run: docker save -o e2e.tar e2e:1 && ls -la e2e.tar | wc -l
                      - run: docker ps -a -q | wc -l
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        let setup = try await cli.run(["logs", id, "--step", "0"])
        #expect(
            setup.stdout.contains(
                "Started a Docker engine for this job (Podman's Docker API, asked for Docker 20.10.24) in "))
        #expect(setup.stdout.contains("Images from cibox's store: docker.io/cibox-samples/app:1\n"), "\(setup.stdout)")
        #expect(try await cli.run(["logs", id, "--step", "2"]).stdout == "built\n")
        #expect(try await cli.run(["logs", id, "--step", "3"]).stdout == "exit 3\n")
        // The container of the run without --rm is there until the job ends.
        #expect(try await cli.run(["logs", id, "--step", "5"]).stdout == "1\n")
        let left = try await Self.leftovers(cli)
        #expect(left == [], "\(left)")
    }

    @Test func aJobStoppedWhileAContainerRunsLeavesNothing() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  stuck:
                    machine: true
                    steps:
                      - setup_remote_docker
                      - run: { command: "docker run cibox-samples/app:1 sleep 4321", no_output_timeout: 3s }
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let sleeping = try await ProcessRunner.run("/usr/bin/pgrep", ["-f", "sleep 4321"])
        #expect(sleeping.stdout.isEmpty, "the container's process survived the job")
        let left = try await Self.leftovers(cli)
        #expect(left == [], "\(left)")
    }

    @Test func theJobsMemoryLimitAppliesToWhatItsEngineRuns() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  greedy:
                    machine: true
                    resource_class: tiny
                    steps:
                      - setup_remote_docker
                      - run: docker run cibox-samples/app:1 dd if=/dev/zero of=/dev/null bs=300M count=1 || echo "exit $?"
                """, settings: "resource_classes:\n  tiny: { cpus: 1, memory: 128MiB, pids: 512 }\n")
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        #expect(try await cli.run(["logs", id, "--step", "1"]).stdout.hasSuffix("exit 137\n"))
    }

    @Test func twoJobsEnginesNeverSeeEachOther() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  first:
                    machine: true
                    steps:
                      - setup_remote_docker
                      - run: docker create --name made-by-first cibox-samples/app:1 true && sleep 6
                  second:
                    machine: true
                    steps:
                      - setup_remote_docker
                      - run: sleep 3 && docker ps -a --format '{{.Names}}' && docker images --format '{{.Repository}}'
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let jobs = try CLI.object(output).objects("workflows")[0].objects("jobs")
        let second = try #require(jobs.first { $0.string("name") == "second" })
        let log = try await cli.run(["logs", String(second.int("id") ?? 0), "--step", "1"])
        #expect(log.stdout == "cibox-samples/app\n", "\(log.stdout)")
    }

    @Test func layerCachingKeepsTheProjectsImagesBetweenRuns() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  cached:
                    machine: true
                    steps:
                      - setup_remote_docker: { docker_layer_caching: true }
                      - run: docker images --format '{{.Repository}}:{{.Tag}}' | sort
                      - run: printf 'FROM cibox-samples/app:1\\nRUN echo once > /once\\n' > Dockerfile && docker build -q -t kept:1 . >/dev/null
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let id = String(try CLI.object(second).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        #expect(
            try await cli.run(["logs", id, "--step", "1"]).stdout == "cibox-samples/app:1\nkept:1\n")
        let left = try await Self.leftovers(cli)
        #expect(left == [], "\(left)")
    }

    @Test func aJobInItsImageGetsNoRootEngineUnlessSettingsTrustEveryConfig() async throws {
        let (cli, repo, images) = try await Self.setUp(
            jobs: """
                  boxed:
                    docker: [{ image: cibox-samples/app:1 }]
                    steps:
                      - setup_remote_docker
                """, settings: "images: { mode: required }\n")
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let job = try CLI.object(output).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("failure_reason") == "infrastructure")
        #expect(
            job.string("failure_message")
                == "This job cannot have a Docker engine: this job runs in its image, and the engine's socket would "
                + "give it root on this machine. The engine runs as root on this machine; if every config this cibox "
                + "runs is trusted, set `images: { docker_engine: all }` in settings.yml.")
    }
}
