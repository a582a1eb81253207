// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDoctor
import Testing

@testable import CIBoxCommands

/// What `cibox doctor` prints for a terminal, word for word.
@Suite struct DoctorTextTests {
    static let report = DoctorReport(
        home: "/var/lib/cibox",
        findings: [
            DoctorFinding("settings", .ok, "No settings file (/var/lib/cibox/settings.yml): the defaults."),
            DoctorFinding(
                "podman", .warning, "Not found: nothing gives jobs a Docker engine.",
                fix: "Install it: `apt install podman`."),
            DoctorFinding("home", .problem, "/var/lib/cibox is mode 0755.", fix: "`chmod 0711 /var/lib/cibox`."),
        ])

    @Test func theTextHasALinePerCheckItsFixBelowAndTheCounts() {
        #expect(
            DoctorCommand.text(Self.report).text == """
                cibox doctor: /var/lib/cibox
                ok       settings  No settings file (/var/lib/cibox/settings.yml): the defaults.
                warning  podman    Not found: nothing gives jobs a Docker engine.
                                   → Install it: `apt install podman`.
                problem  home      /var/lib/cibox is mode 0755.
                                   → `chmod 0711 /var/lib/cibox`.
                1 problem, 1 warning.

                """)
    }

    @Test func whatAProgramSaidIsShownNotObeyed() {
        let report = DoctorReport(
            home: "/h", findings: [DoctorFinding("slurm", .problem, "`sinfo` did not answer: \u{1B}[2Jgone\nok")])
        #expect(
            DoctorCommand.text(report).text == """
                cibox doctor: /h
                problem  slurm  `sinfo` did not answer: \\x1b[2Jgone\\nok
                1 problem, 0 warnings.

                """)
    }
}
