// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
import CIBoxDockerEngine
import CIBoxEngine
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import CIBoxRegistry
import CIBoxSettings
import CIBoxStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `cibox doctor`: looks at this host and a home as cibox would use them, changing nothing but a throwaway job
/// cgroup it makes and removes, and says what is wrong and what to do.
package enum Doctor {
    /// Runs every check for `home`, in the order the report lists them.
    package static func examine(home: String) async -> DoctorReport {
        var findings: [DoctorFinding] = []
        let settingsPath = SettingsFile.path(home: home)
        var settings = Settings()
        var diagnostics: [Diagnostic] = []
        var readError: String?
        do {
            (settings, diagnostics) = try SettingsFile.load(home: home)
        } catch {
            diagnostics = error.diagnostics
            if diagnostics.isEmpty { readError = error.message }
        }
        let holdsSecrets = !settings.contexts.isEmpty || !settings.projectEnvironment.isEmpty
        findings.append(
            SetupChecks.assessSettings(
                path: settingsPath, exists: FileManager.default.fileExists(atPath: settingsPath),
                diagnostics: diagnostics,
                exposedSecrets: holdsSecrets && Self.mode(of: settingsPath).map { $0 & 0o044 != 0 } == true,
                readError: readError))
        let cgroups = CgroupManager.system()
        let trial =
            settings.usesCgroups ? CgroupCheck.tryJobGroup(cgroups, name: "cibox-doctor-\(getpid())") : nil
        findings.append(CgroupCheck.assess(layout: cgroups.layout, enabled: settings.usesCgroups, trial: trial))
        findings.append(
            SetupChecks.assessAgent(
                path: SandboxAgent.executable, executable: access(SandboxAgent.executable, X_OK) == 0))
        for (tool, path) in [
            (ToolCheck.runc, Runc.find(home: home)?.executable), (ToolCheck.skopeo, Skopeo.find()?.program),
            (ToolCheck.podman, PodmanEngines.find("podman")),
        ] {
            findings.append(await Self.check(tool, at: path))
        }
        findings.append(HomeCheck.assess(homeFacts(home)))
        if let space = Self.space(near: home) {
            findings.append(HomeCheck.assessSpace(path: space.path, freeBytes: space.free, totalBytes: space.total))
        }
        findings.append(
            StoreChecks.assessDatabase(StoreHealth.inspect(home: home), path: PipelineStore.databasePath(home: home)))
        let images = ImageStore(home: home)
        findings.append(StoreChecks.assessImages(images.inspect(), folder: images.folder))
        findings.append(await slurm(settings.slurm))
        findings.append(ServiceCheck.assess(await serviceFacts(home: home), home: home))
        return DoctorReport(home: home, findings: findings)
    }

    private static func check(_ tool: ToolCheck, at path: String?) async -> DoctorFinding {
        guard let path else { return tool.assess(path: nil, versionOutput: nil) }
        let (output, failure) = await run(path, ["--version"])
        return tool.assess(path: path, versionOutput: output, failure: failure)
    }

    /// Runs a short command; its standard output when it ended with status 0, else why not.
    private static func run(_ program: String, _ arguments: [String]) async -> (output: String?, failure: String?) {
        do {
            let output = try await ExternalCommand(program, arguments, timeout: .seconds(15)).run()
            guard output.status == 0 else {
                let said = output.stderr.split(separator: "\n").first.map { ": " + $0 } ?? ""
                return (nil, output.timedOut ? "no answer in 15 s" : "exit status \(output.status)\(said)")
            }
            return (output.stdout, nil)
        } catch {
            return (nil, error.message)
        }
    }

    private static func homeFacts(_ home: String) -> HomeCheck.Facts {
        var info = stat()
        let exists = stat(home, &info) == 0
        let user = geteuid()
        return HomeCheck.Facts(
            path: home, owner: exists ? info.st_uid : nil, mode: UInt32(info.st_mode & 0o7777),
            ownerName: userName(info.st_uid), userID: user, userName: userName(user),
            exposed: exists ? HomePermissions.exposedEntries(home) : [])
    }

    private static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    private static func mode(of path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode : nil
    }

    /// The free and total bytes of the file system of `path`, or of its nearest existing parent.
    private static func space(near path: String) -> (path: String, free: Int64, total: Int64)? {
        var current = path
        while true {
            var info = statvfs()
            if statvfs(current, &info) == 0 {
                let unit = Int64(info.f_frsize)
                return (current, Int64(info.f_bavail) * unit, Int64(info.f_blocks) * unit)
            }
            guard current != "/" else { return nil }
            current = Paths.parent(current)
        }
    }

    private static func slurm(_ settings: SlurmSettings?) async -> DoctorFinding {
        guard let settings else {
            return SlurmCheck.assess(nil, missing: [], partitions: nil, failure: nil, sharedWritable: false)
        }
        let missing = SlurmCheck.commands.filter { ProgramSearch.find($0) == nil }
        var partitions: [String]?
        var failure: String?
        if missing.isEmpty, let sinfo = ProgramSearch.find("sinfo") {
            let (output, why) = await run(sinfo, ["--noheader", "--format=%P"])
            partitions = output.map { text in
                text.split(separator: "\n").map { String($0.trimmingCharacters(in: .whitespaces).filter { $0 != "*" }) }
            }
            failure = why
        }
        return SlurmCheck.assess(
            settings, missing: missing, partitions: partitions, failure: failure,
            sharedWritable: access(settings.sharedDirectory, W_OK) == 0)
    }

    /// Where the unit may be installed, the package's place last.
    static let unitFiles = [
        "/etc/systemd/system/cibox.service", "/usr/lib/systemd/system/cibox.service",
        "/lib/systemd/system/cibox.service",
    ]

    private static func serviceFacts(home: String) async -> ServiceCheck.Facts {
        let initName =
            ((try? String(contentsOfFile: "/proc/1/comm", encoding: .utf8)) ?? "unknown").trimmingCharacters(
                in: .whitespacesAndNewlines)
        let systemdRunning = FileManager.default.fileExists(atPath: "/run/systemd/system")
        let unit = unitFiles.first { path in
            var info = stat()
            return lstat(path, &info) == 0
        }
        let masked = (try? FileManager.default.destinationOfSymbolicLink(atPath: unitFiles[0])) == "/dev/null"
        var info = stat()
        let wanted = lstat("/etc/systemd/system/multi-user.target.wants/cibox.service", &info) == 0
        var active: String?
        if systemdRunning, unit != nil, let systemctl = ProgramSearch.find("systemctl") {
            // is-active prints the state and exits non-zero for anything but active: its output is the answer.
            let output = try? await ExternalCommand(systemctl, ["is-active", "cibox.service"], timeout: .seconds(15))
                .run()
            active = output?.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let pid = DaemonPresence.isRunning(home: home) ? DaemonPresence.recordedPID(home: home) ?? "unknown" : nil
        return ServiceCheck.Facts(
            initName: initName, systemdRunning: systemdRunning, unitFile: unit,
            enablement: masked ? .masked : (wanted ? .enabled : .disabled), activeState: active, daemonPID: pid)
    }
}

/// Programs on `PATH` and in the system's folders (a root shell's `PATH` may lack `/usr/sbin`, where runc is).
enum ProgramSearch {
    /// The first executable `name` on `PATH`, then in `/usr/sbin`, `/usr/bin`, `/sbin`, `/bin`, `/usr/local/sbin`,
    /// `/usr/local/bin`; nil when there is none.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders =
            path.split(separator: ":").map(String.init) + [
                "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin",
            ]
        // Only absolute folders: a `.` or relative entry would run a program of the current folder (a job's).
        return folders.filter { $0.hasPrefix("/") }.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }
}
