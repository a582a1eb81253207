// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `cibox doctor` on this machine and a real home: every check runs, each problem is named with what to do, and the
/// exit status says whether there was one. Needs root: as another user cibox cannot make a job's cgroup here, which
/// doctor rightly calls a problem.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root: cibox makes job cgroups only as root on this host"))
struct DoctorTests {
    static let checks = [
        "settings", "cgroups", "agent", "runc", "skopeo", "podman", "home", "disk", "database", "images", "slurm",
        "service",
    ]

    /// The `checks` of `cibox doctor --json`, by name, and the whole object.
    static func doctor(_ cli: CLI) async throws -> (status: Int32, checks: [String: [String: Any]], all: [String: Any])
    {
        let output = try await cli.run(["doctor", "--json"])
        let object = try CLI.object(output)
        let checks = object.objects("checks")
        #expect(checks.compactMap { $0["check"] as? String } == Self.checks)
        return (output.status, object.doctorChecks, object)
    }

    @Test func aFreshHomeAndThenAUsedOneHaveNoProblems() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config:
                "version: 2.1\njobs:\n  build:\n    steps:\n      - run: echo hi\nworkflows:\n  w:\n    jobs: [build]\n"
        )
        defer { cli.home.remove(); repo.remove() }
        // As the package makes it (a temporary folder is 0755, which doctor calls a problem: the other test).
        chmod(cli.home.path, 0o700)
        let fresh = try await Self.doctor(cli)
        #expect(fresh.status == 0, "\(fresh.all)")
        #expect(fresh.all["problems"] as? Int == 0)
        #expect(fresh.all["home"] as? String == cli.home.path)
        #expect(fresh.checks["home"]?["summary"] as? String == "\(cli.home.path), root's, mode 0700.")
        for name in Self.checks {
            #expect(fresh.checks[name]?["status"] as? String != "problem", "\(name): \(fresh.checks[name] ?? [:])")
        }
        let database = cli.home.path + "/cibox.sqlite"
        #expect(
            fresh.checks["database"]?["summary"] as? String
                == "No database yet: cibox makes \(database) at its first run.")
        #expect(
            fresh.checks["slurm"]?["summary"] as? String == "Not configured (`executors.slurm` in settings.yml).")

        _ = try await cli.succeededWorkflows(repo.path)
        let used = try await Self.doctor(cli)
        #expect(used.status == 0)
        let summary = used.checks["database"]?["summary"] as? String ?? ""
        #expect(
            summary.hasPrefix(database + " (") && summary.hasSuffix("): integrity ok, schema current."), "\(summary)")
        #expect(used.checks["home"]?["summary"] as? String == "\(cli.home.path), root's, mode 0711.")
        #expect(used.checks["home"]?["fix"] is NSNull)
    }

    @Test func problemsAreNamedWithWhatToDoAndTheStatusIsOne() async throws {
        let cli = try CLI()
        let images = try TemporaryDirectory(prefix: "cibox-doctor-images")
        defer { cli.home.remove(); images.remove() }
        // An image whose layer went missing, a home others may list, settings the commands refuse.
        let archive = images.appending("bb.tar")
        try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["doctor/bb:1"]).writeArchive(to: archive)
        #expect(try await cli.run(["image", "load", archive]).status == 0)
        let blobs = cli.home.appending("images/blobs/sha256")
        let layer = try #require(
            try FileManager.default.contentsOfDirectory(atPath: blobs).max {
                size(blobs + "/" + $0) < size(blobs + "/" + $1)
            })
        try FileManager.default.removeItem(atPath: blobs + "/" + layer)
        chmod(cli.home.path, 0o755)
        try cli.home.write("cgroups: maybe\n", to: "settings.yml")

        let result = try await Self.doctor(cli)
        #expect(result.status == 1)
        #expect(result.all["problems"] as? Int == 3)
        #expect(result.checks["home"]?["status"] as? String == "problem")
        #expect(
            result.checks["home"]?["summary"] as? String
                == "\(cli.home.path) is mode 0755: other users may list or change it.")
        #expect(
            result.checks["images"]?["summary"] as? String
                == "docker.io/doctor/bb:1: The store lacks layer 1 (sha256:\(layer)).")
        #expect(
            result.checks["settings"]?["summary"] as? String
                == "\(cli.home.path)/settings.yml has errors, so every command refuses it: "
                + "\(cli.home.path)/settings.yml:1:10: error: 'cgroups' must be true or false.")

        let text = try await cli.run(["doctor"])
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "cibox doctor: \(cli.home.path)")
        #expect(lines.contains("problem  home      \(cli.home.path) is mode 0755: other users may list or change it."))
        #expect(
            lines.contains("                   → `chmod 0711 \(cli.home.path)` (cibox also sets it at its next start).")
        )
        #expect(lines.dropLast().last?.hasPrefix("3 problems, ") == true)
    }

    private func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The `checks` of a `cibox doctor --json` report, by their names.
    var doctorChecks: [String: [String: Any]] {
        var byName: [String: [String: Any]] = [:]
        for check in objects("checks") { byName[check["check"] as? String ?? ""] = check }
        return byName
    }
}
