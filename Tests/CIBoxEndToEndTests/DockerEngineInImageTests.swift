// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A job in its image with `setup_remote_docker`: the image's own docker client reaches the engine through
/// `/var/run/docker.sock`, which cibox binds into the job's container when it is made.
@Suite(
    .serialized, .machineSlot,
    .enabled(
        if: getuid() == 0
            && [
                "/usr/bin/podman", "/usr/bin/skopeo", "/usr/bin/unshare", "/usr/sbin/runc", "/usr/bin/docker",
                "/usr/bin/ldd",
            ].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) },
        "a job's Docker engine needs root, podman, skopeo, unshare, runc, and a docker client to put in an image"))
struct DockerEngineInImageTests {
    /// A busybox image (user `tester`, uid 1000) with this machine's docker client and the libraries it loads.
    static func clientImage() async throws -> TestImage {
        let ldd = try await ProcessRunner.run("/usr/bin/ldd", ["/usr/bin/docker"])
        let libraries = ldd.stdout.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(whereSeparator: \.isWhitespace)
            if let arrow = words.firstIndex(of: "=>"), arrow + 1 < words.count { return String(words[arrow + 1]) }
            return words.first.map(String.init).flatMap { $0.hasPrefix("/") ? $0 : nil }
        }
        var entries: [TarEntry] = []
        var folders: Set<String> = []
        for path in ["/usr/bin/docker"] + libraries {
            guard let bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
                throw FixtureError("cannot read \(path)")
            }
            let name = path == "/usr/bin/docker" ? "bin/docker" : String(path.dropFirst())
            var folder = ""
            for part in name.split(separator: "/").dropLast() {
                folder += part + "/"
                if folders.insert(folder).inserted { entries.append(TarEntry(folder, .folder)) }
            }
            entries.append(TarEntry(name, .file(bytes), mode: 0o755))
        }
        return try TestImage.busybox(extraLayers: [entries])
    }

    @Test func theImagesDockerClientBuildsAndRunsThroughVarRunDockerSock() async throws {
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  boxed:
                    docker: [{ image: cibox-tests/docker:1 }]
                    steps:
                      - run: docker ps 2>/dev/null || echo "no engine yet"
                      - setup_remote_docker
                      - run: printf 'FROM cibox-samples/app:1\\nRUN echo built > /built.txt\\n' > Dockerfile && docker build -q -t e2e:1 . >/dev/null
                      - run: docker run --rm e2e:1 cat /built.txt
                      - run: echo "$DOCKER_HOST $(id -u)" && docker ps -a -q | wc -l
                """, settings: "images: { mode: required, docker_engine: all }\n")
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let archive = images.appending("docker.tar")
        try TestImageArchive.dockerArchive(try await Self.clientImage(), repoTags: ["cibox-tests/docker:1"])
            .writeArchive(to: archive)
        #expect(try await cli.run(["image", "load", archive]).status == 0)
        let sockets = { (try? FileManager.default.contentsOfDirectory(atPath: "/run/cibox/docker")) ?? [] }
        let before = Set(sockets())
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        #expect(try await cli.run(["logs", id, "--step", "0"]).stdout == "no engine yet\n")
        #expect(try await cli.run(["logs", id, "--step", "3"]).stdout == "built\n")
        #expect(try await cli.run(["logs", id, "--step", "4"]).stdout == "unix:///var/run/docker.sock 1000\n0\n")
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
        #expect(Set(sockets()).subtracting(before) == [])
    }
}

/// `machine:` jobs: a Docker socket from the job's start, its engine started when first used, and a `docker`
/// command (Podman's client) last on `PATH` for a machine without one.
@Suite(
    .serialized, .machineSlot,
    .enabled(if: canRunEngines, "a job's Docker engine needs root, podman, skopeo, unshare, runc and a docker client"))
struct MachineDockerEngineTests {
    @Test func aMachineJobsEngineStartsWhenFirstUsed() async throws {
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  first:
                    machine: true
                    steps:
                      - run: echo "$DOCKER_HOST" | grep -c '^unix:///run/cibox/'
                      - run: printf 'FROM cibox-samples/app:1\\nRUN echo built > /built.txt\\n' > Dockerfile && docker build -q -t e2e:1 . >/dev/null
                      - run: docker run --rm e2e:1 cat /built.txt
                  unused:
                    machine: { image: ubuntu-2204:current }
                    steps:
                      - run: test -n "$DOCKER_HOST" && echo has a socket
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let jobs = try CLI.object(output).objects("workflows")[0].objects("jobs")
        let ids = jobs.map { String($0.int("id") ?? 0) }
        #expect(try await cli.run(["logs", ids[0], "--step", "0"]).stdout == "1\n")
        #expect(try await cli.run(["logs", ids[0], "--step", "2"]).stdout == "built\n")
        let first = try await cli.run(["logs", ids[0]]).stdout
        #expect(
            first.contains("==> Spin up environment\nStarted a Docker engine for this job (Podman's Docker API) in "))
        #expect(try await cli.run(["logs", ids[1], "--step", "0"]).stdout == "has a socket\n")
        let unused = try await cli.run(["logs", ids[1]]).stdout
        #expect(!unused.contains("Started a Docker engine"), "\(unused)")
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
    }

    @Test func aMachineWithoutDockerGetsPodmansClientAsDocker() async throws {
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  wrapped:
                    machine: true
                    environment: { PATH: /usr/sbin:/sbin }
                    steps:
                      - run: p=$(command -v docker); case $p in /*/docker/bin/docker) echo wrapper;; *) echo "$p";; esac
                      - run: docker run --rm cibox-samples/app:1 echo from the wrapper
                      - run: docker run cibox-samples/app:1 sh -c 'exit 4' || echo "exit $?"
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        let log = try await cli.run(["logs", id]).stdout
        #expect(output.status == 0, "\(log)")
        #expect(try await cli.run(["logs", id, "--step", "0"]).stdout == "wrapper\n")
        #expect(try await cli.run(["logs", id, "--step", "1"]).stdout == "from the wrapper\n")
        #expect(try await cli.run(["logs", id, "--step", "2"]).stdout == "exit 4\n")
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
    }
}

/// An image built by one job reaches later jobs: through a workspace into another job's engine (`docker load`), and
/// through `cibox image load` of the saved file into cibox's store, where a `docker:` job runs in it.
@Suite(
    .serialized, .machineSlot,
    .enabled(if: canRunEngines, "a job's Docker engine needs root, podman, skopeo, unshare, runc and a docker client"))
struct BuiltImageTests {
    @Test func anImageBuiltInAJobIsRunByALaterJobAndLoadedIntoTheStore() async throws {
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  unused:
                    machine: true
                    steps: [{ run: "true" }]
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        try repo.write(
            """
            version: 2.1
            jobs:
              build:
                machine: true
                steps:
                  - run: |
                      mkdir -p out && printf 'FROM cibox-samples/app:1\\nRUN echo built by a job > /built.txt\\n' > Dockerfile
                      docker build -q -t e2e/built:1 . >/dev/null && docker save -o out/built.tar e2e/built:1
                  - persist_to_workspace: { root: out, paths: [built.tar] }
                  - store_artifacts: { path: out/built.tar, destination: built.tar }
              use:
                machine: true
                steps:
                  - attach_workspace: { at: in }
                  - run: docker load -q -i in/built.tar >/dev/null && docker run --rm e2e/built:1 cat /built.txt
            workflows:
              w:
                jobs: [build, { use: { requires: [build] } }]
            """, to: ".circleci/config.yml")
        _ = try await repo.commitAll("build and use")
        let output = try await cli.run(["run", repo.path, "--json"])
        let jobs = try CLI.object(output).objects("workflows")[0].objects("jobs")
        let ids = jobs.map { String($0.int("id") ?? 0) }
        let buildLog = try await cli.run(["logs", ids[0]]).stdout
        #expect(output.status == 0, "\(buildLog)")
        #expect(try await cli.run(["logs", ids[1], "--step", "1"]).stdout == "built by a job\n")
        let saved = cli.home.appending("artifacts/\(ids[0])/built.tar")
        #expect(try await cli.run(["image", "load", saved]).status == 0)
        try repo.write(
            """
            version: 2.1
            jobs:
              inside:
                docker: [{ image: e2e/built:1 }]
                steps: [{ run: cat /built.txt }]
            workflows:
              w: { jobs: [inside] }
            """, to: ".circleci/config.yml")
        _ = try await repo.commitAll("run in it")
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stdout)")
        let inside = String(try CLI.object(second).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        #expect(try await cli.run(["logs", inside, "--step", "0"]).stdout == "built by a job\n")
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
    }
}
