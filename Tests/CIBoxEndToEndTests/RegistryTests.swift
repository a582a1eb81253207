// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Whether jobs can pull and run images here: root (runc needs it), runc, busybox-static, and a registry to pull
/// from (docker-registry, skopeo, htpasswd).
private let canPullImages =
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    && ["/usr/sbin/runc", "/usr/bin/runc"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    && TestRegistry.isAvailable

/// `cibox run` and `cibox image pull` against a real registry (Debian's docker-registry on loopback) that the test
/// starts from its own folder, fills with skopeo and stops by pid.
@Suite(
    .machineSlot,
    .enabled(if: canPullImages, "pulling needs root, runc, busybox-static, docker-registry, skopeo and htpasswd"))
struct RegistryTests {
    /// The sample images (`app.tar`, `web.tar`: busybox roots whose `SAMPLE_IMAGE` is `app` and `web`).
    static func sampleImages() async throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory(prefix: "cibox-images")
        let built = try await ProcessRunner.run(SampleImagesTests.script, [folder.path])
        #expect(built.status == 0, "\(built.stderr)")
        return folder
    }

    /// A repository whose job runs in `image` and prints its `SAMPLE_IMAGE`; `auth` is the entry's `auth:` mapping.
    static func repository(image: String, auth: String? = nil, jobs: Int = 1) async throws -> GitFixture {
        let entry = "{ image: \"\(image)\"" + (auth.map { ", auth: \($0)" } ?? "") + " }"
        let definitions = (1...jobs).map { number in
            """
              j\(number):
                docker: [\(entry)]
                steps:
                  - run: echo "image=$SAMPLE_IMAGE"
            """
        }
        return try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                \(definitions.joined(separator: "\n"))
                workflows:
                  w:
                    jobs: [\((1...jobs).map { "j\($0)" }.joined(separator: ", "))]
                """)
    }

    /// The one job of a `cibox run --json` output.
    static func job(_ output: ProcessOutput, _ index: Int = 0) throws -> [String: Any] {
        try CLI.object(output).objects("workflows")[0].objects("jobs")[index]
    }

    @Test func aJobPullsItsImageOnFirstUseRecordsTheDigestAndRunsOfflineAfter() async throws {
        let registry = try await TestRegistry()
        let images = try await Self.sampleImages()
        let cli = try CLI()
        let image = "\(registry.host)/team/app:1"
        let repo = try await Self.repository(image: image, jobs: 2)
        defer { registry.remove(); images.remove(); cli.home.remove(); repo.remove() }
        try await registry.push(archive: images.appending("app.tar"), as: "team/app:1")
        let digest = try await registry.digest(of: "team/app:1")
        try cli.home.write(
            "images: { mode: required, insecure_registries: [\(registry.host)] }\n", to: "settings.yml")

        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        // Two jobs need it; one pull.
        #expect(first.stderr.components(separatedBy: ": Pulling \(image)").count == 2, "\(first.stderr)")
        #expect(first.stderr.contains(": Pulled \(image) (\(digest)) in "), "\(first.stderr)")
        for index in 0..<2 {
            let job = try Self.job(first, index)
            #expect(job.string("status") == "success")
            let recorded = try #require(job["image"] as? [String: Any])
            #expect(recorded.string("reference") == image && recorded.string("digest") == digest)
        }
        let pulled = try #require(
            try Self.job(first, 0).string("name") == "j1" ? Self.job(first, 0) : Self.job(first, 1))
        let logs = try await cli.run(["logs", String(pulled.int("id") ?? 0)])
        #expect(logs.stdout.hasPrefix("==> Spin up environment\n"), "\(logs.stdout)")
        #expect(logs.stdout.contains("image=app\n"))
        let page = try String(
            contentsOfFile: cli.home.appending("reports/pipelines/1/jobs/\(pulled.int("id") ?? 0).html"),
            encoding: .utf8)
        #expect(page.contains("<span class=\"name\">Spin up environment</span>"))
        #expect(page.contains("Pulled \(image) (\(digest))"))

        // The registry is gone: the stored image serves the next pipeline, with no registry asked.
        registry.stop()
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(!second.stderr.contains("Pulling"))
        #expect((try Self.job(second)["image"] as? [String: Any])?.string("digest") == digest)
    }

    @Test func shortNamesArePulledThroughADockerHubMirror() async throws {
        let registry = try await TestRegistry()
        let images = try await Self.sampleImages()
        let cli = try CLI()
        let repo = try await Self.repository(image: "cibox-samples/web:2")
        defer { registry.remove(); images.remove(); cli.home.remove(); repo.remove() }
        try await registry.push(archive: images.appending("web.tar"), as: "cibox-samples/web:2")
        let digest = try await registry.digest(of: "cibox-samples/web:2")
        try cli.home.write(
            """
            images:
              mode: required
              registry_mirrors: { docker.io: "\(registry.host)" }
              insecure_registries: [\(registry.host)]

            """, to: "settings.yml")
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        let recorded = try #require(try Self.job(output)["image"] as? [String: Any])
        #expect(recorded.string("reference") == "docker.io/cibox-samples/web:2")
        #expect(recorded.string("digest") == digest)

        // `cibox image pull` of what the store has: the registry is asked, nothing is copied.
        let again = try await cli.run(["image", "pull", "cibox-samples/web:2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "Up to date: docker.io/cibox-samples/web:2 (\(digest))\n")
    }

    @Test func aTagThatMovedGetsItsNewDigestInNewPipelinesUnderPullAlways() async throws {
        let registry = try await TestRegistry()
        let images = try await Self.sampleImages()
        let cli = try CLI()
        let image = "\(registry.host)/team/app:stable"
        let repo = try await Self.repository(image: image)
        defer { registry.remove(); images.remove(); cli.home.remove(); repo.remove() }
        try cli.home.write(
            "images: { mode: required, pull: always, insecure_registries: [\(registry.host)] }\n", to: "settings.yml")
        try await registry.push(archive: images.appending("app.tar"), as: "team/app:stable")
        let old = try await registry.digest(of: "team/app:stable")
        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect((try Self.job(first)["image"] as? [String: Any])?.string("digest") == old)

        try await registry.push(archive: images.appending("web.tar"), as: "team/app:stable")
        let new = try await registry.digest(of: "team/app:stable")
        #expect(new != old)
        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect((try Self.job(second)["image"] as? [String: Any])?.string("digest") == new)
        let log = try await cli.run(["logs", String(try Self.job(second).int("id") ?? 0), "--step", "0"])
        #expect(log.stdout.contains("image=web\n"), "\(log.stdout)")
        // The old image stays under its digest (a pipeline pinned to it still finds it) until gc ages it out.
        let list = try await cli.run(["image", "list"])
        #expect(list.stdout.contains("\(registry.host)/team/app@\(old)\t\(old)\t"), "\(list.stdout)")
        #expect(list.stdout.contains("\(registry.host)/team/app:stable\t\(new)\t"), "\(list.stdout)")
    }

    @Test func credentialsFromAContextALoginAndTheirFailures() async throws {
        let registry = try await TestRegistry(login: ("alice", "s3cret-pass"))
        let images = try await Self.sampleImages()
        let cli = try CLI()
        let image = "\(registry.host)/team/app:1"
        defer { registry.remove(); images.remove(); cli.home.remove() }
        try await registry.push(archive: images.appending("app.tar"), as: "team/app:1")
        try cli.home.write(
            "images: { mode: required, insecure_registries: [\(registry.host)] }\n", to: "settings.yml")

        // No credentials: the registry's answer and what to do.
        let bare = try await Self.repository(image: image)
        defer { bare.remove() }
        let refused = try await cli.run(["run", bare.path, "--json"])
        #expect(refused.status == 1)
        let job = try Self.job(refused)
        #expect(job.string("failure_reason") == "infrastructure")
        #expect(
            job.string("failure_message")
                == "The registry \(registry.host) refused to give '\(image)': reading manifest 1 in "
                + "\(registry.host)/team/app: unauthorized: authentication required. Check a login (`cibox registry "
                + "login \(registry.host)`), and that the user may pull this repository.")

        // A wrong password from a context: refused, and the password is nowhere in cibox's files.
        #expect(
            try await cli.run(["context", "set", "registry", "REGISTRY_PASSWORD"], input: "wrong-pass-42\n").status == 0
        )
        let wrong = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  j1:
                    docker: [{ image: "\(image)", auth: { username: alice, password: "${REGISTRY_PASSWORD}" } }]
                    steps: [{ run: echo "image=$SAMPLE_IMAGE" }]
                workflows:
                  w: { jobs: [{ j1: { context: registry } }] }
                """)
        defer { wrong.remove() }
        let denied = try await cli.run(["run", wrong.path, "--json"])
        #expect(denied.status == 1)
        #expect(
            try Self.job(denied).string("failure_message")
                == "The registry \(registry.host) refused to give '\(image)': reading manifest 1 in "
                + "\(registry.host)/team/app: unauthorized: authentication required. Check the job's `auth:` for it, "
                + "and that the user may pull this repository.")
        // (The context keeps it, as contexts do, in a file only cibox's user reads.)
        let leaked = try await ProcessRunner.run(
            "/bin/grep", ["-r", "-l", "--exclude-dir=contexts", "wrong-pass-42", cli.home.path])
        #expect(leaked.stdout.isEmpty, "the password is stored in plain text in \(leaked.stdout)")
        #expect(!denied.stderr.contains("wrong-pass-42") && !denied.stdout.contains("wrong-pass-42"))

        // The right one: the job pulls and runs.
        #expect(
            try await cli.run(["context", "set", "registry", "REGISTRY_PASSWORD"], input: "s3cret-pass\n").status == 0)
        let right = try await cli.run(["run", wrong.path, "--json"])
        #expect(right.status == 0, "\(right.stdout)\n\(right.stderr)")

        // A stored login serves jobs without `auth:`; a wrong one is refused at login and not stored.
        let badLogin = try await cli.run(["registry", "login", registry.host, "-u", "alice"], input: "nope-nope\n")
        #expect(badLogin.status == 2)
        #expect(
            badLogin.stderr
                == "error: The registry \(registry.host) refused the login of 'alice': logging into "
                + "\"\(registry.host)\": invalid username/password. Check the user name and the password or token.\n")
        let login = try await cli.run(["registry", "login", registry.host, "-u", "alice"], input: "s3cret-pass\n")
        #expect(login.status == 0, "\(login.stderr)")
        let file = cli.home.appending("registry/auth.json")
        #expect(login.stdout == "Logged in to \(registry.host) as alice; stored in \(file) (mode 0600).\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await registry.push(archive: images.appending("web.tar"), as: "team/web:1")
        let other = try await Self.repository(image: "\(registry.host)/team/web:1")
        defer { other.remove() }
        let stored = try await cli.run(["run", other.path, "--json"])
        #expect(stored.status == 0, "\(stored.stdout)\n\(stored.stderr)")
        #expect(try await cli.run(["registry", "list"]).stdout == "\(registry.host)\talice\n")
    }

    @Test func aMissingTagAndAnUnreachableRegistrySayWhatToDo() async throws {
        let registry = try await TestRegistry()
        let cli = try CLI()
        let image = "\(registry.host)/team/app:9"
        let repo = try await Self.repository(image: image)
        defer { registry.remove(); cli.home.remove(); repo.remove() }
        try cli.home.write(
            "images: { mode: required, insecure_registries: [\(registry.host)] }\n", to: "settings.yml")
        let missing = try await cli.run(["run", repo.path, "--json"])
        #expect(missing.status == 1)
        #expect(
            try Self.job(missing).string("failure_message")
                == "The registry \(registry.host) has no '\(image)': reading manifest 9 in \(registry.host)/team/app: "
                + "manifest unknown: manifest unknown. Check the image's name and tag, or push it there.")
        let pull = try await cli.run(["image", "pull", image])
        #expect(pull.status == 2)
        #expect(
            pull.stderr
                == "error: The registry \(registry.host) has no '\(image)': reading manifest 9 in "
                + "\(registry.host)/team/app: manifest unknown: manifest unknown. Check the image's name and tag, or push "
                + "it there.\n")

        registry.stop()
        let away = try await cli.run(["run", repo.path, "--json"])
        #expect(away.status == 1)
        let message = try #require(try Self.job(away).string("failure_message"))
        #expect(message.hasPrefix("Cannot reach the registry \(registry.host) for '\(image)': "), "\(message)")
        #expect(message.contains("connection refused"))
        #expect(
            message.hasSuffix(
                "Set `images: { registry_mirrors: { \(registry.host): HOST } }` to pull through a registry this machine "
                    + "reaches, or load the image with `cibox image load FILE`."))
    }

    @Test func statusShowsThePullsInProgressOfLivingProcesses() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let folder = cli.home.appending("images/pulls")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let living =
            #"{"bytes":2097152,"bytes_done":1048576,"digest":"sha256:"#
            + String(repeating: "a", count: 64) + #"","layers":3,"layers_done":1,"pid":\#(getpid()),"#
            + #""reference":"docker.io/library/node:20","started_at":1796558400}"#
        try living.write(toFile: folder + "/one.json", atomically: true, encoding: .utf8)
        let gone = living.replacingOccurrences(of: "\"pid\":\(getpid())", with: "\"pid\":2147483646")
        try gone.write(toFile: folder + "/two.json", atomically: true, encoding: .utf8)
        let status = try await cli.run(["status"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(
            status.stdout.contains(
                "Pulling docker.io/library/node:20 (sha256:\(String(repeating: "a", count: 64))) since "
                    + "2026-12-06T12:00:00.000Z: 1 of 3 layers, 1 MiB of 2 MiB.\n"), "\(status.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/two.json"))
        let json = try CLI.object(try await cli.run(["status", "--json"]))
        let pulls = json.objects("pulls")
        #expect(pulls.count == 1 && pulls.first?.int("layers_done") == 1 && pulls.first?.int("bytes") == 2_097_152)
    }
}
