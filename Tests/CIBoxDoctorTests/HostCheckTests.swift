// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDoctor
import CIBoxExecutor
import CIBoxModel
import Testing

/// cgroups, the home, its disk, Slurm and the service, from given facts.
@Suite struct HostCheckTests {
    @Test func cgroupsAreOkOffMissingOrNotDelegated() {
        let v2 = CgroupLayout.v2(
            directory: "/sys/fs/cgroup/system.slice/cibox.service", controllers: ["cpu", "memory", "pids", "io"])
        #expect(
            CgroupCheck.assess(layout: v2, enabled: true, trial: nil)
                == DoctorFinding(
                    "cgroups", .ok,
                    "v2 at /sys/fs/cgroup/system.slice/cibox.service, controllers cpu, io, memory, pids; a job's cgroup "
                        + "can be made (delegated to cibox)."))
        let refused = CgroupCheck.assess(layout: v2, enabled: true, trial: "Permission denied")
        #expect(refused.status == .problem)
        #expect(
            refused.summary
                == "v2 at /sys/fs/cgroup/system.slice/cibox.service, controllers cpu, io, memory, pids; a job's cgroup "
                + "cannot be made: Permission denied")
        #expect(
            refused.fix
                == "Run cibox as root, as its systemd service (Delegate=yes) or under `systemd-run --scope -p Delegate=yes`."
        )
        let v1 = CgroupLayout.v1(directories: ["memory": "/m", "pids": "/p", "freezer": "/f"])
        #expect(CgroupCheck.assess(layout: v1, enabled: false, trial: nil).status == .warning)
        #expect(
            CgroupCheck.assess(layout: v1, enabled: true, trial: nil).summary
                == "v1 (controllers freezer, memory, pids); a job's cgroup can be made (delegated to cibox).")
        let none = CgroupCheck.assess(
            layout: .unavailable(reason: "no cgroup file system is mounted"), enabled: true, trial: nil)
        #expect(none.status == .problem)
        #expect(
            none.summary
                == "Unavailable: no cgroup file system is mounted. Jobs run without memory, CPU or process limits.")
    }

    static func facts(owner: UInt32? = 0, mode: UInt32 = 0o711, exposed: [String] = []) -> HomeCheck.Facts {
        HomeCheck.Facts(
            path: "/var/lib/cibox", owner: owner, mode: mode, ownerName: owner == 0 ? "root" : "cibox", userID: 0,
            userName: "root", exposed: exposed)
    }

    @Test func theHomeMustBeTheUsersAndClosed() {
        #expect(
            HomeCheck.assess(Self.facts()) == DoctorFinding("home", .ok, "/var/lib/cibox, root's, mode 0711."))
        #expect(HomeCheck.assess(Self.facts(mode: 0o700)).status == .ok)
        #expect(
            HomeCheck.assess(Self.facts(owner: nil))
                == DoctorFinding("home", .ok, "/var/lib/cibox does not exist yet: cibox makes it at its first run."))
        #expect(
            HomeCheck.assess(Self.facts(owner: 101))
                == DoctorFinding(
                    "home", .problem,
                    "/var/lib/cibox belongs to cibox, not to root who runs cibox: its owner could replace cibox's files "
                        + "and folders.",
                    fix: "`chown root: /var/lib/cibox`, or run cibox as cibox."))
        #expect(
            HomeCheck.assess(Self.facts(mode: 0o755))
                == DoctorFinding(
                    "home", .problem, "/var/lib/cibox is mode 0755: other users may list or change it.",
                    fix: "`chmod 0711 /var/lib/cibox` (cibox also sets it at its next start)."))
        #expect(
            HomeCheck.assess(Self.facts(exposed: ["cibox.sqlite", "logs"]))
                == DoctorFinding(
                    "home", .problem, "Other users may read cibox.sqlite, logs in /var/lib/cibox.",
                    fix: "`chmod -R go-rwx` them (cibox also does it at its next start)."))
    }

    @Test func theDiskNeedsRoom() {
        let gib: Int64 = 1 << 30
        #expect(
            HomeCheck.assessSpace(path: "/var/lib/cibox", freeBytes: 40 * gib, totalBytes: 100 * gib)
                == DoctorFinding("disk", .ok, "40 GiB free of 100 GiB at /var/lib/cibox."))
        #expect(HomeCheck.assessSpace(path: "/h", freeBytes: 8 * gib, totalBytes: 100 * gib).status == .warning)
        #expect(HomeCheck.assessSpace(path: "/h", freeBytes: 3 * gib, totalBytes: 10 * gib).status == .warning)
        let low = HomeCheck.assessSpace(path: "/h", freeBytes: 512 << 20, totalBytes: 100 * gib)
        #expect(low.status == .problem)
        #expect(low.summary == "Only 512 MiB free of 100 GiB at /h.")
    }

    @Test func slurmIsCheckedOnlyWhenConfigured() {
        #expect(
            SlurmCheck.assess(nil, missing: [], partitions: nil, failure: nil, sharedWritable: false)
                == DoctorFinding("slurm", .ok, "Not configured (`executors.slurm` in settings.yml)."))
        let settings = SlurmSettings(sharedDirectory: "/shared/ci", partition: "ci")
        #expect(
            SlurmCheck.assess(
                settings, missing: ["sbatch", "sinfo"], partitions: nil, failure: nil, sharedWritable: true
            )
            .summary == "Configured, but sbatch, sinfo not found on PATH.")
        #expect(
            SlurmCheck.assess(
                settings, missing: [], partitions: nil,
                failure: "exit status 1: slurm_load_partitions: "
                    + "Unable to contact slurm controller", sharedWritable: true
            ).summary
                == "`sinfo` did not answer: exit status 1: slurm_load_partitions: Unable to contact slurm controller.")
        #expect(
            SlurmCheck.assess(settings, missing: [], partitions: ["debug"], failure: nil, sharedWritable: true).summary
                == "The partition 'ci' is not among the cluster's: debug.")
        #expect(
            SlurmCheck.assess(settings, missing: [], partitions: ["ci"], failure: nil, sharedWritable: false).summary
                == "The shared folder /shared/ci does not exist or is not writable.")
        #expect(
            SlurmCheck.assess(settings, missing: [], partitions: ["debug", "ci"], failure: nil, sharedWritable: true)
                == DoctorFinding(
                    "slurm", .ok, "sinfo answers (partitions debug, ci); shared folder /shared/ci writable."))
    }

    static func service(
        systemd: Bool = true, unit: String? = "/lib/systemd/system/cibox.service",
        enablement: ServiceCheck.Enablement = .enabled,
        active: String? = "active", pid: String? = "812"
    ) -> ServiceCheck.Facts {
        ServiceCheck.Facts(
            initName: systemd ? "systemd" : "sh", systemdRunning: systemd, unitFile: unit, enablement: enablement,
            activeState: active, daemonPID: pid)
    }

    @Test func theServiceIsReportedAsSystemdSeesIt() {
        let home = "/var/lib/cibox"
        #expect(
            ServiceCheck.assess(Self.service(unit: nil, pid: nil), home: home)
                == DoctorFinding("service", .ok, "No cibox.service is installed; no daemon runs on /var/lib/cibox."))
        #expect(
            ServiceCheck.assess(Self.service(), home: home)
                == DoctorFinding(
                    "service", .ok, "cibox.service is enabled and active; a daemon runs on /var/lib/cibox (pid 812)."))
        #expect(
            ServiceCheck.assess(Self.service(active: "failed", pid: nil), home: home)
                == DoctorFinding(
                    "service", .problem, "cibox.service is enabled and failed; no daemon runs on /var/lib/cibox.",
                    fix: "See why: `journalctl -u cibox -e`; then `systemctl restart cibox`."))
        #expect(
            ServiceCheck.assess(Self.service(active: "inactive", pid: nil), home: home).fix
                == "`systemctl start cibox` (it starts at boot).")
        #expect(
            ServiceCheck.assess(Self.service(enablement: .disabled, active: "inactive", pid: nil), home: home).fix
                == "`systemctl enable --now cibox` to watch pushed repositories.")
        #expect(ServiceCheck.assess(Self.service(enablement: .masked), home: home).status == .warning)
        #expect(
            ServiceCheck.assess(Self.service(systemd: false, active: nil, pid: nil), home: home)
                == DoctorFinding(
                    "service", .warning,
                    "systemd is not running here (PID 1 is sh): cibox.service is enabled and nothing starts it; no "
                        + "daemon runs on /var/lib/cibox.",
                    fix: "Boot with systemd, or start `cibox daemon --home /var/lib/cibox --run-as cibox` with this "
                        + "machine's init."))
        #expect(ServiceCheck.assess(Self.service(systemd: false, active: nil), home: home).status == .ok)
    }
}
