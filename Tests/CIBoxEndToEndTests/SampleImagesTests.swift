// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// `scripts/build-sample-images.sh`, the images of `Samples/service-containers`: reproducible, loaded by
/// `cibox image load`, and holding what the sample's jobs rely on. The sample's pipeline itself is not run here.
@Suite struct SampleImagesTests {
    static let script = CLI.packageRoot + "/scripts/build-sample-images.sh"
    static let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "needs busybox-static"))
    func buildsTheSameTarballsEachRunAndTheyLoad() async throws {
        let cli = try CLI()
        let first = try TemporaryDirectory(prefix: "cibox-sample-images")
        let second = try TemporaryDirectory(prefix: "cibox-sample-images")
        defer { cli.home.remove(); first.remove(); second.remove() }
        for folder in [first, second] {
            let built = try await ProcessRunner.run(Self.script, [folder.path])
            #expect(built.status == 0, "\(built.stderr)")
        }
        var digests: [String] = []
        for name in ["app", "web"] {
            let tarball = first.appending(name + ".tar")
            let bytes = try #require(FileManager.default.contents(atPath: tarball))
            #expect(bytes == FileManager.default.contents(atPath: second.appending(name + ".tar")), "\(name).tar")
            let loaded = try await cli.run(["image", "load", tarball])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            let digest = String(try #require(loaded.stdout.split(separator: "(").last?.dropLast(2)))
            #expect(loaded.stdout == "Loaded docker.io/cibox-samples/\(name):1 (\(digest))\n")
            digests.append(digest)
        }
        let list = try JSONSerialization.jsonObject(
            with: Data(try await cli.run(["image", "list", "--json"]).stdout.utf8))
        let images = try #require(list as? [[String: Any]])
        #expect(
            images.map { $0.string("reference") } == ["docker.io/cibox-samples/app:1", "docker.io/cibox-samples/web:1"])
        #expect(images.map { $0.string("digest") ?? "" } == digests)

        let store = SampleStore(home: cli.home)
        let (app, appLayers) = try store.image(digests[0])
        let (web, webLayers) = try store.image(digests[1])
        #expect(app.architecture == HostPlatform.current.architecture && app.os == "linux")
        #expect(app.config == ContainerConfiguration(env: [Self.path, "SAMPLE_IMAGE=app"], cmd: ["/bin/sh"]))
        #expect(
            web.config
                == ContainerConfiguration(
                    env: [Self.path, "SAMPLE_IMAGE=web"], entrypoint: ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]))
        #expect(webLayers.count == 2 && webLayers.first == appLayers.first && appLayers.count == 1)

        let listing = try await ProcessRunner.run(
            "/usr/bin/tar", ["--numeric-owner", "--utc", "-tvf", store.blob(appLayers[0])])
        let entries = listing.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        let names = entries.map { String($0[5]) }
        #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        let modes = Dictionary(uniqueKeysWithValues: entries.map { (String($0[5]), $0[0] + " " + $0[1]) })
        #expect(modes["home/circleci/"] == "drwxr-xr-x 3434/3434")
        #expect(modes["tmp/"] == "drwxrwxrwt 0/0")
        #expect(modes["root/"] == "drwx------ 0/0")
        #expect(modes["bin/busybox"] == "-rwxr-xr-x 0/0")
        #expect(entries.allSatisfy { $0[3] == "2026-01-01" && $0[4] == "00:00" })

        let appRoot = cli.home.appending("images/roots/" + digests[0].dropFirst(7))
        for applet in ["sh", "wget", "nc", "cat", "grep", "httpd", "id", "sleep"] {
            #expect(
                try FileManager.default.destinationOfSymbolicLink(atPath: appRoot + "/bin/" + applet) == "busybox",
                "\(applet)")
        }
        let passwd = try String(contentsOfFile: appRoot + "/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("\ncircleci:x:3434:3434:circleci:/home/circleci:/bin/sh\n"))
        let page = cli.home.appending("images/roots/" + digests[1].dropFirst(7) + "/www/index.html")
        #expect(try String(contentsOfFile: page, encoding: .utf8) == "hello from the web service\n")
    }

    @Test func sampleConfigIsValid() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let config = CLI.packageRoot + "/Samples/service-containers/.circleci/config.yml"
        let output = try await cli.run(["validate", config])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix(config + ": valid: 1 workflow(s), 2 job(s)"))
    }
}

/// Reads an image's config and layers from a home's image store (`images/blobs/sha256/…`).
private struct SampleStore {
    let home: TemporaryDirectory

    /// The path of the blob `digest`.
    func blob(_ digest: String) -> String {
        home.appending("images/blobs/sha256/" + digest.dropFirst(7))
    }

    /// The config and layer digests of the image whose manifest is `digest`.
    func image(_ digest: String) throws -> (ImageConfiguration, [String]) {
        let decoder = JSONDecoder()
        let manifest = try decoder.decode(
            ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: blob(digest))))
        let config = try decoder.decode(
            ImageConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: blob(manifest.config.digest))))
        return (config, manifest.layers.map(\.digest))
    }
}
