// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Whether jobs can run in images here: root (runc needs it), runc, busybox-static, cgroups.
private let canRunImages =
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    && ["/usr/sbin/runc", "/usr/bin/runc"].contains { FileManager.default.isExecutableFile(atPath: $0) }

/// `cibox run` of real git repositories whose jobs run in images loaded with `cibox image load`.
@Suite(.machineSlot, .enabled(if: canRunImages, "jobs in images need root, runc and busybox-static"))
struct ImageJobTests {
    /// The sample images, built once into `folder` and loaded into `cli`'s home.
    func loadSampleImages(_ cli: CLI, folder: TemporaryDirectory) async throws {
        let built = try await ProcessRunner.run(SampleImagesTests.script, [folder.path])
        #expect(built.status == 0, "\(built.stderr)")
        for name in ["app", "web"] {
            let loaded = try await cli.run(["image", "load", folder.appending(name + ".tar")])
            #expect(loaded.status == 0, "\(loaded.stderr)")
        }
    }

    @Test func theServiceContainersSampleRunsGreenInItsImages() async throws {
        let cli = try CLI()
        let images = try TemporaryDirectory(prefix: "cibox-images")
        let repo = try await Repositories.sample("service-containers")
        defer { cli.home.remove(); images.remove(); repo.remove() }
        try await loadSampleImages(cli, folder: images)
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let jobs = try CLI.object(output).objects("workflows")[0].objects("jobs")
        #expect(jobs.map { $0.string("status") } == ["success", "success"])
        let services = try #require(jobs.first { $0.string("name") == "services" })
        let id = String(services.int("id") ?? 0)
        let log = try await cli.run(["logs", id, "--step", "1"])
        #expect(log.stdout.contains("\nSAMPLE_IMAGE=app\nBusyBox v"))
        let local = try await cli.run(["logs", id, "--step", "2"])
        #expect(local.stdout.contains("hello from the web service"), "\(local.stdout)")
        let byName = try await cli.run(["logs", id, "--step", "3"])
        #expect(byName.stdout.contains("hello from the web service"))
        let image = try #require(services["image"] as? [String: Any])
        #expect(image.string("reference") == "docker.io/cibox-samples/app:1")
        #expect(image.string("digest")?.hasPrefix("sha256:") == true)
        let service = try await cli.run(["logs", id, "--container", "web"])
        #expect(service.status == 0, "\(service.stderr)")
        let who = try await cli.run(["logs", String(jobs[1].int("id") ?? 0), "--step", "0"])
        #expect(who.stdout.contains("\nuid=3434(circleci) gid=3434(circleci)"), "\(who.stdout)")
    }

    @Test func testsSplitByTimingsInAnImageUseTheEarlierPipelinesTimings() async throws {
        let cli = try CLI()
        let images = try TemporaryDirectory(prefix: "cibox-images")
        let junit =
            "<testsuite><testcase file=\\\"a.py\\\" name=\\\"x\\\" time=\\\"10\\\"/>"
            + "<testcase file=\\\"b.py\\\" name=\\\"y\\\" time=\\\"1\\\"/>"
            + "<testcase file=\\\"c.py\\\" name=\\\"z\\\" time=\\\"1\\\"/></testsuite>"
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  t:
                    docker: [{ image: cibox-samples/app:1 }]
                    parallelism: 2
                    steps:
                      - run: mkdir -p r && echo "\(junit)" > r/j.xml
                      - store_test_results: { path: r }
                      - run: printf 'a.py\\nb.py\\nc.py\\n' | circleci tests split --split-by=timings 2>/dev/null
                workflows:
                  w:
                    jobs: [t]
                """)
        defer { cli.home.remove(); images.remove(); repo.remove() }
        try await loadSampleImages(cli, folder: images)
        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let jobs = try CLI.object(second).objects("workflows")[0].objects("jobs")
        let node0 = try #require(jobs.first { $0.int("node_index") == 0 })
        let split = try await cli.run(["logs", String(node0.int("id") ?? 0), "--step", "2"])
        // By name node 0 of 2 gets a.py and c.py; by the first pipeline's timings a.py alone.
        #expect(split.stdout == "a.py\n", "\(split.stdout)")
    }

    @Test func requiredFailsAJobWhoseImageIsMissingWithWhatToDo() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/never-loaded:1\n    steps:\n"
                + "      - run: echo on the host\nworkflows:\n  w:\n    jobs: [build]\n")
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("images: { mode: required, pull: never }\n", to: "settings.yml")
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let job = try CLI.object(output).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("failure_reason") == "infrastructure")
        #expect(
            job.string("failure_message")
                == "The image 'docker.io/cimg/never-loaded:1' is not in cibox's image store, and settings say "
                + "`images: { pull: never }`. Load it with `cibox image load FILE`, or pull it with `cibox image pull "
                + "docker.io/cimg/never-loaded:1`.")

        // Pulls allowed, but its registry cannot be reached (`.invalid` never resolves): what to do instead.
        try cli.home.write("images: { mode: required }\n", to: "settings.yml")
        let unreachable = try await Repositories.with(
            config: "version: 2.1\njobs:\n  build:\n    docker:\n      - image: registry.invalid/team/app:1\n"
                + "    steps:\n      - run: echo on the host\nworkflows:\n  w:\n    jobs: [build]\n")
        defer { unreachable.remove() }
        let away = try await cli.run(["run", unreachable.path, "--json"])
        #expect(away.status == 1)
        let message = try #require(
            CLI.object(away).objects("workflows")[0].objects("jobs")[0].string("failure_message"))
        #expect(message.hasPrefix("Cannot reach the registry registry.invalid for 'registry.invalid/team/app:1': "))
        #expect(
            message.hasSuffix(
                "Set `images: { registry_mirrors: { registry.invalid: HOST } }` to pull through a registry this "
                    + "machine reaches, or load the image with `cibox image load FILE`."), "\(message)")
    }

    @Test func aMissingImageRunsOnTheHostWithOneWarningByDefault() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/never-loaded:1\n    steps:\n"
                + "      - run: echo on the host\nworkflows:\n  w:\n    jobs: [build]\n")
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path])
        #expect(output.status == 0, "\(output.stderr)")
        let shown = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(shown.objects("workflows")[0].objects("jobs")[0].isNull("image"))
        #expect(
            output.stderr.contains(
                "the image 'cimg/never-loaded:1' is not in cibox's image store: its jobs run on this machine's shell. "
                    + "Load it with `cibox image load FILE`."))
    }
}
