// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import GRDB
import Testing

/// The folder of the static release binaries the package is made from (`make test-package` sets it).
private let releaseBinaries = ProcessInfo.processInfo.environment["CIBOX_RELEASE_BIN"].flatMap { $0.isEmpty ? nil : $0 }

/// The air-gapped install (issue 25): the Debian package and the offline bundle are built from the release binaries,
/// lintian finds nothing, and the bundle installs with `dpkg` alone into a fresh Debian 12 root made by `mmdebstrap`,
/// network cut; there cibox runs, documents itself, checks its host and runs a sample pipeline, and an upgrade from
/// the previous version's package keeps history, settings, contexts and images.
///
/// Needs root (chroot, mount and network namespaces, dpkg in the root), the static release binaries that `make
/// test-package` builds and names in `CIBOX_RELEASE_BIN` (it is part of `make test`), and Debian's mirror for the
/// minimal root and the bundle's packages (what "a connected machine" fetches).
@Suite(
    .serialized,
    .enabled(
        if: getuid() == 0 && releaseBinaries != nil,
        "needs root and CIBOX_RELEASE_BIN (the release binaries `make test-package` builds)"))
struct PackageInstallTests {

    /// The version the release binaries say, which the package takes.
    static let version = "0.1.0"
    /// The previous version's package: the same binaries as an older version, so that dpkg upgrades it (its
    /// maintainer scripts, conffile and home handling are what an upgrade runs).
    static let previousVersion = "0.0.9"

    /// What the tests install: built once, in `.build/package-test`.
    struct Artifacts: Sendable {
        var deb: String
        var previousDeb: String
        var bundle: String
        var rootTarball: String
        var manDebs: String
        var folder: String
    }

    static let artifacts = Task { () throws -> Artifacts in try await build() }

    @discardableResult
    static func script(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws
        -> ProcessOutput
    {
        let output = try await ProcessRunner.run(
            "/bin/bash", [CLI.packageRoot + "/scripts/" + name] + arguments, in: CLI.packageRoot,
            environment: environment)
        guard output.status == 0 else {
            throw FixtureError("scripts/\(name) failed (\(output.status)):\n\(output.stdout)\n\(output.stderr)")
        }
        return output
    }

    static func build() async throws -> Artifacts {
        let binaries = try #require(releaseBinaries)
        let folder = CLI.packageRoot + "/.build/package-test"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/man-db/partial", withIntermediateDirectories: true)
        try await script(
            "make-deb.sh", [binaries, folder + "/previous"],
            environment: ["DEB_VERSION": previousVersion, "CIBOX_LINTIAN": "0"])
        try await script("make-deb.sh", [binaries, folder + "/current"], environment: ["CIBOX_LINTIAN": "0"])
        let deb = folder + "/current/cibox_\(version)_amd64.deb"
        try await script("make-bundle.sh", [deb, folder + "/bundle"])
        let tarball = CLI.packageRoot + "/.build/debian/bookworm-minbase.tar"
        // man-db is not in a minimal root (a real server has it: priority standard); the test adds it to see `man`.
        let status = try await ProcessRunner.run("/bin/tar", ["-xOf", tarball, "./var/lib/dpkg/status"])
        try Data(status.stdout.utf8).write(to: URL(fileURLWithPath: folder + "/status"))
        _ = FileManager.default.createFile(atPath: folder + "/extended_states", contents: nil)
        let apt = try await ProcessRunner.run(
            "/usr/bin/apt-get",
            [
                "-o", "Dir::State::status=\(folder)/status", "-o", "Dir::Cache::archives=\(folder)/man-db",
                "-o", "Dir::State::extended_states=\(folder)/extended_states", "--no-install-recommends", "-y",
                "-q", "--download-only", "install", "man-db",
            ])
        guard apt.status == 0 else { throw FixtureError("apt-get --download-only man-db: \(apt.stderr)") }
        return Artifacts(
            deb: deb, previousDeb: folder + "/previous/cibox_\(previousVersion)_amd64.deb",
            bundle: folder + "/bundle/cibox-offline-\(version)-bookworm-amd64.tar", rootTarball: tarball,
            manDebs: folder + "/man-db", folder: folder)
    }

    static let bundleName = "cibox-offline-\(version)-bookworm-amd64"

    /// A fresh root with the bundle unpacked in `/tmp`.
    static func freshRoot(_ artifacts: Artifacts, in folder: TemporaryDirectory) async throws -> DebianRoot {
        let root = try await DebianRoot(unpacking: artifacts.rootTarball, into: folder.path)
        let unpacked = try await ProcessRunner.run("/bin/tar", ["-C", root.path + "/tmp", "-xf", artifacts.bundle])
        guard unpacked.status == 0 else { throw FixtureError("tar -xf bundle: \(unpacked.stderr)") }
        return root
    }

    /// How many packages the bundle unpacked in the root's `/tmp` holds.
    static func packageCount(in root: DebianRoot) async throws -> Int {
        let listed = try await root.expectSuccess("ls /tmp/\(bundleName)/*.deb | wc -l")
        return Int(listed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Samples/shell-pipeline as a git repository in the root's `/tmp/sample`.
    static func copySample(into root: DebianRoot) async throws {
        let sample = try await Repositories.sample("shell-pipeline")
        defer { sample.remove() }
        try await root.copy(sample.path, to: "/tmp/sample")
    }

    @Test func lintianFindsNoErrorOrWarning() async throws {
        let artifacts = try await Self.artifacts.value
        let lintian = try await ProcessRunner.run("/usr/bin/lintian", ["--fail-on", "error,warning", artifacts.deb])
        #expect(lintian.status == 0, "\(lintian.stdout)\(lintian.stderr)")
        let tags = lintian.stdout.split(separator: "\n").filter { $0.hasPrefix("E:") || $0.hasPrefix("W:") }
        #expect(tags.isEmpty, "\(tags)")
    }

    @Test func theBundleHoldsThePackageItsDependenciesAnInstallerAndChecksums() async throws {
        let artifacts = try await Self.artifacts.value
        let listing = try await ProcessRunner.run("/bin/tar", ["-tf", artifacts.bundle])
        let names = Set(listing.stdout.split(separator: "\n").map { String($0.split(separator: "/").last ?? "") })
        for file in ["install.sh", "SHA256SUMS", "cibox_\(Self.version)_amd64.deb"] {
            #expect(names.contains(file), "\(file) in \(names.sorted())")
        }
        for package in ["runc", "skopeo", "libgit2-1.5", "libarchive13", "libxml2", "libsqlite3-0", "podman"] {
            #expect(names.contains { $0.hasPrefix(package + "_") && $0.hasSuffix(".deb") }, "\(package) in the bundle")
        }
        #expect(!names.contains { $0.hasPrefix("crun_") }, "podman's runtime is runc here, never crun")
    }

    /// A repository whose one job prints who runs it.
    static let whoami =
        "version: 2.1\njobs:\n  whoami:\n    steps:\n      - run: id -un\nworkflows:\n  w:\n    jobs: [whoami]\n"

    /// Runs the whoami repository (copied to the root's `/tmp/whoami` first) and returns what its job printed.
    static func whoRunsJobs(in root: DebianRoot) async throws -> String {
        if !FileManager.default.fileExists(atPath: root.path + "/tmp/whoami") {
            let repository = try await Repositories.with(config: whoami)
            defer { repository.remove() }
            try await root.copy(repository.path, to: "/tmp/whoami")
        }
        let run = try await root.run("cibox run /tmp/whoami --json")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let job = try CLI.object(run).objects("workflows").first?.objects("jobs").first
        let id = try #require(job?.int("id"))
        return try await root.expectSuccess("cibox logs \(id)")
    }

    @Test(.timeLimit(.minutes(20))) func theBundleInstallsOfflineIntoAFreshDebian12() async throws {
        let artifacts = try await Self.artifacts.value
        let folder = try TemporaryDirectory(prefix: "cibox-package")
        defer { folder.remove() }
        let root = try await Self.freshRoot(artifacts, in: folder)
        try await root.copy(artifacts.manDebs, to: "/tmp/man-db")
        try await root.expectSuccess("dpkg -i /tmp/man-db/*.deb >/dev/null")
        // No network in there: only a loopback, down.
        let interfaces = try await root.run("cat /proc/net/dev").stdout.split(separator: "\n").dropFirst(2)
        #expect(interfaces.map { $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces) } == ["lo"])

        let installed = try await root.expectSuccess("sh /tmp/\(Self.bundleName)/install.sh")
        let count = try await Self.packageCount(in: root)
        #expect(
            installed.contains(
                "install.sh: \(count - 1) of \(count) packages to install (0 already here at the same or a newer "
                    + "version)\ninstall.sh: left out docker-registry (a registry on port 5000 of every interface, no "
                    + "login): install.sh --with-registry adds it\n"),
            "\(installed)")
        #expect(installed.contains("install.sh: installed cibox \(Self.version)\n"), "\(installed)")
        #expect(
            try await root.run("dpkg-query -W -f='${db:Status-Status}' docker-registry").stdout != "installed")
        #expect(try await root.expectSuccess("cibox --version") == "\(Self.version)\n")
        let manual = try await root.expectSuccess("MANPAGER=cat man cibox")
        #expect(manual.contains("cibox") && manual.contains("SYNOPSIS"), "\(manual)")
        #expect(try await root.expectSuccess("MANPAGER=cat man cibox-doctor").contains("--json"))
        try await root.expectSuccess("grep -q _cibox /usr/share/bash-completion/completions/cibox")
        try await root.expectSuccess("test -s /usr/share/zsh/vendor-completions/_cibox")
        try await root.expectSuccess("test -s /usr/share/fish/vendor_completions.d/cibox.fish")
        let user = try await root.expectSuccess("getent passwd cibox").split(
            separator: ":", omittingEmptySubsequences: false)
        #expect(user.count == 7 && user[5] == "/var/lib/cibox" && user[6] == "/usr/sbin/nologin\n", "\(user)")
        #expect(try await root.expectSuccess("stat -c '%U %G %a' /var/lib/cibox") == "root root 700\n")
        #expect(try await root.expectSuccess("stat -c '%U %a' /etc/cibox/settings.yml") == "root 600\n")
        // Enabled, not started (nothing runs it in a chroot anyway).
        #expect(
            try await root.expectSuccess("readlink /etc/systemd/system/multi-user.target.wants/cibox.service")
                == "/lib/systemd/system/cibox.service\n")
        #expect(
            try await root.expectSuccess("dpkg-query -W -f='${Conffiles}' cibox").contains("/etc/cibox/settings.yml"))

        let doctor = try await root.run("cibox doctor --json")
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        let report = try CLI.object(doctor)
        #expect(report["home"] as? String == "/var/lib/cibox")
        #expect(report["problems"] as? Int == 0, "\(report)")
        let checks = report.doctorChecks
        #expect(checks["home"]?["summary"] as? String == "/var/lib/cibox, root's, mode 0700.")
        #expect(checks["agent"]?["summary"] as? String == "/usr/lib/cibox/cibox-sandbox.")
        #expect((checks["runc"]?["summary"] as? String)?.hasPrefix("/usr/sbin/runc, version 1.1.") == true)
        #expect(checks["settings"]?["summary"] as? String == "/etc/cibox/settings.yml reads without a warning.")
        #expect((checks["service"]?["summary"] as? String)?.contains("cibox.service is enabled") == true)

        try await Self.copySample(into: root)
        let run = try await root.run("cibox run /tmp/sample --json")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try CLI.object(run).string("status") == "success")
        // The package's settings run root's jobs as the package's user, as the service's.
        #expect(try await Self.whoRunsJobs(in: root).contains("cibox\n"))
    }

    @Test(.timeLimit(.minutes(20))) func anUpgradeKeepsHistorySettingsContextsAndImages() async throws {
        let artifacts = try await Self.artifacts.value
        let folder = try TemporaryDirectory(prefix: "cibox-package")
        defer { folder.remove() }
        let root = try await Self.freshRoot(artifacts, in: folder)
        let bundle = "/tmp/\(Self.bundleName)"
        // The previous version's package had another default for a setting the administrator then changed too: dpkg
        // must keep the administrator's file and put the new default beside it.
        let previous = folder.appending("previous")
        try await ProcessRunner.run("/usr/bin/dpkg-deb", ["-R", artifacts.previousDeb, previous])
        let settings = previous + "/etc/cibox/settings.yml"
        let text = try String(contentsOfFile: settings, encoding: .utf8)
        try #require(text.contains("\njob_time_limit: 5h\n"))
        try text.replacingOccurrences(of: "\njob_time_limit: 5h\n", with: "\njob_time_limit: 4h\n")
            .write(toFile: settings, atomically: false, encoding: .utf8)
        let rebuilt = try await ProcessRunner.run(
            "/usr/bin/dpkg-deb", ["--root-owner-group", "-Zxz", "-z0", "-b", previous, root.path + "/tmp/previous.deb"])
        try #require(rebuilt.status == 0, "\(rebuilt.stderr)")
        // The previous version, with what it needs from the bundle.
        try await root.expectSuccess(
            "cd \(bundle) && dpkg -i $(ls *.deb | grep -v -e '^cibox_' -e '^docker-registry_') /tmp/previous.deb >/dev/null"
        )
        #expect(try await root.expectSuccess("dpkg-query -W -f='${Version}' cibox") == Self.previousVersion)

        // What a build server has after a while: an administrator's setting, a context, an image, a pipeline.
        try await root.expectSuccess("sed -i 's/^job_time_limit: 4h$/job_time_limit: 2h/' /etc/cibox/settings.yml")
        try await root.expectSuccess("printf s3cret | cibox context set deploy TOKEN")
        let image = folder.appending("bb.tar")
        try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["upgrade/bb:1"]).writeArchive(to: image)
        try await root.copy(image, to: "/tmp/bb.tar")
        try await root.expectSuccess("cibox image load /tmp/bb.tar")
        try await Self.copySample(into: root)
        let first = try await root.run("cibox run /tmp/sample --json")
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        // A database as the previous version left it: its schema two migrations behind this cibox's.
        let database = root.path + "/var/lib/cibox/cibox.sqlite"
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP INDEX job_on_finishedAt; DROP TABLE apiToken;
                    DELETE FROM grdb_migrations WHERE identifier IN ('v15-add-apiToken', 'v16-add-job-finishedAt-index')
                    """)
        }

        let upgraded = try await root.expectSuccess("sh \(bundle)/install.sh")
        let count = try await Self.packageCount(in: root)
        #expect(
            upgraded.contains(
                "install.sh: 1 of \(count) packages to install (\(count - 2) already here at the same or a newer "
                    + "version)\n"),
            "\(upgraded)")
        #expect(upgraded.contains("install.sh: installed cibox \(Self.version)\n"), "\(upgraded)")
        #expect(try await root.expectSuccess("dpkg-query -W -f='${Version}' cibox") == Self.version)
        #expect(
            try await root.expectSuccess("grep '^job_time_limit' /etc/cibox/settings.yml") == "job_time_limit: 2h\n")
        #expect(
            try await root.expectSuccess("grep '^job_time_limit' /etc/cibox/settings.yml.dpkg-dist")
                == "job_time_limit: 5h\n")

        // The new cibox finds the older schema, names what is pending, and moves it forward at its first start.
        let before = try CLI.object(try await root.run("cibox doctor --json"))
        let pending = before.doctorChecks["database"]
        #expect(pending?["status"] as? String == "warning")
        #expect(
            (pending?["summary"] as? String)?.hasSuffix(
                "is sound; 2 migration(s) of this cibox have not run yet (v15-add-apiToken, "
                    + "v16-add-job-finishedAt-index).") == true, "\(pending ?? [:])")
        let history = try await root.run("cibox pipelines --json")
        let pipelines = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(pipelines.map { $0["number"] as? Int } == [1])
        #expect(pipelines.first?["status"] as? String == "success")
        let after = try CLI.object(try await root.run("cibox doctor --json"))
        #expect(after["problems"] as? Int == 0, "\(after)")
        let current = after.doctorChecks["database"]
        #expect((current?["summary"] as? String)?.hasSuffix("integrity ok, schema current.") == true)
        #expect(try await root.expectSuccess("cibox context list").contains("deploy"))
        #expect(try await root.expectSuccess("cibox image list").contains("upgrade/bb:1"))
        // The jobs run as the package's user after the upgrade too, and the history goes on.
        #expect(try await Self.whoRunsJobs(in: root).contains("cibox\n"))
        let later = try await root.run("cibox pipelines --json")
        #expect((try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [Any])?.count == 2)

        // Remove keeps the state and the user; purge deletes the state and the settings, and keeps the user.
        try await root.expectSuccess("dpkg -r cibox >/dev/null")
        try await root.expectSuccess("test -f /var/lib/cibox/cibox.sqlite && getent passwd cibox >/dev/null")
        try await root.expectSuccess("dpkg -P cibox >/dev/null")
        try await root.expectSuccess(
            "test ! -e /var/lib/cibox && test ! -e /etc/cibox && getent passwd cibox >/dev/null")
    }
}
