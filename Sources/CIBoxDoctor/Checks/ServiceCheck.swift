// cibox — CI in a box. MIT licence, see LICENSE.

/// The systemd service (`cibox.service`) and whether a daemon runs on the home.
package enum ServiceCheck {
    /// Whether the unit starts at boot, from its links under `/etc/systemd/system`.
    package enum Enablement: String, Sendable {
        /// `multi-user.target.wants/cibox.service` exists.
        case enabled
        /// No such link.
        case disabled
        /// `cibox.service` links to `/dev/null`.
        case masked
    }

    /// What is known of the service.
    package struct Facts: Sendable, Equatable {
        /// PID 1's name (`systemd`, `sh`, …).
        package var initName: String
        /// Whether systemd runs this machine (`/run/systemd/system` exists).
        package var systemdRunning: Bool
        /// Where the unit file is; nil when none is installed.
        package var unitFile: String?
        /// Whether it starts at boot.
        package var enablement: Enablement
        /// `systemctl is-active`'s answer when systemd runs (`active`, `failed`, `inactive`, …).
        package var activeState: String?
        /// The pid of the daemon holding the home's lock; nil when none runs on it.
        package var daemonPID: String?

        /// Makes the facts.
        package init(
            initName: String, systemdRunning: Bool, unitFile: String?, enablement: Enablement, activeState: String?,
            daemonPID: String?
        ) {
            self.initName = initName
            self.systemdRunning = systemdRunning
            self.unitFile = unitFile
            self.enablement = enablement
            self.activeState = activeState
            self.daemonPID = daemonPID
        }
    }

    /// The `service` finding.
    package static func assess(_ facts: Facts, home: String) -> DoctorFinding {
        let daemon = facts.daemonPID.map { "a daemon runs on \(home) (pid \($0))" } ?? "no daemon runs on \(home)"
        guard let unit = facts.unitFile else {
            return DoctorFinding("service", .ok, "No cibox.service is installed; \(daemon).")
        }
        if facts.enablement == .masked {
            return DoctorFinding(
                "service", .warning, "cibox.service (\(unit)) is masked; \(daemon).",
                fix: "`systemctl unmask cibox && systemctl enable --now cibox` to watch pushed repositories.")
        }
        guard facts.systemdRunning else {
            let found =
                "systemd is not running here (PID 1 is \(facts.initName)): cibox.service is \(facts.enablement.rawValue)"
            if facts.daemonPID != nil { return DoctorFinding("service", .ok, "\(found); \(daemon).") }
            return DoctorFinding(
                "service", .warning, "\(found) and nothing starts it; \(daemon).",
                fix:
                    "Boot with systemd, or start `cibox daemon --home \(home) --run-as cibox` with this machine's init."
            )
        }
        let state = facts.activeState ?? "unknown"
        let found = "cibox.service is \(facts.enablement.rawValue) and \(state); \(daemon)."
        switch (state, facts.enablement) {
        case ("active", _), ("activating", _), ("reloading", _):
            return DoctorFinding("service", .ok, found)
        case ("failed", _):
            return DoctorFinding(
                "service", .problem, found,
                fix: "See why: `journalctl -u cibox -e`; then `systemctl restart cibox`.")
        case (_, .enabled):
            return DoctorFinding("service", .warning, found, fix: "`systemctl start cibox` (it starts at boot).")
        default:
            return DoctorFinding(
                "service", .warning, found, fix: "`systemctl enable --now cibox` to watch pushed repositories.")
        }
    }
}
