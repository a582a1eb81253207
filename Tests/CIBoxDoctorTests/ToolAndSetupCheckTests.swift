// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDoctor
import CIBoxModel
import Testing

/// The programs cibox runs, the settings file and the job agent.
@Suite struct ToolAndSetupCheckTests {
    @Test func versionsAreReadFromWhatEachProgramPrints() {
        #expect(
            ToolCheck.version(in: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n") == [
                1, 1, 5,
            ])
        #expect(ToolCheck.version(in: "skopeo version 1.9.3\n") == [1, 9, 3])
        #expect(ToolCheck.version(in: "podman version 4.3.1\n") == [4, 3, 1])
        #expect(ToolCheck.version(in: "slurm 22.05.8\n") == [22, 5, 8])
        #expect(ToolCheck.version(in: "tool v2.0\n") == [2, 0])
        #expect(ToolCheck.version(in: "no version here 7\n") == nil)
    }

    @Test func aMissingRequiredProgramIsAProblemAnOptionalOneAWarning() {
        #expect(
            ToolCheck.runc.assess(path: nil, versionOutput: nil)
                == DoctorFinding(
                    "runc", .problem,
                    "Not found: nothing runs jobs in their docker: images and their service containers.",
                    fix: "Install it: `apt install runc` (or from the offline bundle)."))
        #expect(ToolCheck.podman.assess(path: nil, versionOutput: nil).status == .warning)
        #expect(ToolCheck.skopeo.assess(path: nil, versionOutput: nil).status == .warning)
    }

    @Test func aProgramIsOkOldOrBroken() {
        #expect(
            ToolCheck.runc.assess(path: "/usr/sbin/runc", versionOutput: "runc version 1.1.5\n")
                == DoctorFinding("runc", .ok, "/usr/sbin/runc, version 1.1.5."))
        #expect(
            ToolCheck.podman.assess(path: "/usr/bin/podman", versionOutput: "podman version 3.4.2\n")
                == DoctorFinding(
                    "podman", .warning, "/usr/bin/podman is version 3.4.2; cibox is tested with 4.3 or newer.",
                    fix: "Upgrade it: `apt install podman` from Debian 12 or newer."))
        #expect(
            ToolCheck.skopeo.assess(path: "/usr/bin/skopeo", versionOutput: nil, failure: "exit status 127")
                == DoctorFinding(
                    "skopeo", .problem, "/usr/bin/skopeo does not answer `--version`: exit status 127.",
                    fix: "Reinstall it: `apt install --reinstall skopeo`."))
    }

    @Test func theSettingsFileIsOkWarnedOrRefused() {
        let path = "/etc/cibox/settings.yml"
        #expect(
            SetupChecks.assessSettings(path: path, exists: false, diagnostics: [], exposedSecrets: false)
                == DoctorFinding("settings", .ok, "No settings file (/etc/cibox/settings.yml): the defaults."))
        #expect(
            SetupChecks.assessSettings(path: path, exists: true, diagnostics: [], exposedSecrets: false)
                == DoctorFinding("settings", .ok, "/etc/cibox/settings.yml reads without a warning."))
        let location = SourceLocation(file: path, line: 3, column: 10)
        let error = Diagnostic(.error, at: location, "'cgroups' must be true or false", hint: "write true or false")
        #expect(
            SetupChecks.assessSettings(path: path, exists: true, diagnostics: [error], exposedSecrets: false)
                == DoctorFinding(
                    "settings", .problem,
                    "/etc/cibox/settings.yml has errors, so every command refuses it: "
                        + "/etc/cibox/settings.yml:3:10: error: 'cgroups' must be true or false.",
                    fix: "Fix them (`cibox doctor` checks again), or move the file away to use the defaults."))
        #expect(
            SetupChecks.assessSettings(path: path, exists: true, diagnostics: [], exposedSecrets: true)
                == DoctorFinding(
                    "settings", .problem,
                    "/etc/cibox/settings.yml holds contexts' or projects' environment values, and other users (jobs "
                        + "included) may read it.",
                    fix: "`chmod 600 /etc/cibox/settings.yml`, or keep secrets with `cibox context set` (in the "
                        + "database) instead."))
        #expect(
            SetupChecks.assessSettings(
                path: path, exists: true, diagnostics: [], exposedSecrets: false,
                readError:
                    "Cannot read /etc/cibox/settings.yml: Permission denied. Run cibox as its owner, or fix its mode.")
                == DoctorFinding(
                    "settings", .problem,
                    "Cannot read /etc/cibox/settings.yml: Permission denied. Run cibox as its owner, or fix its mode.",
                    fix: "Run doctor as the user cibox runs as (root for the service); that user must own the file."))
    }

    @Test func theAgentMustBeThere() {
        #expect(
            SetupChecks.assessAgent(path: "/usr/lib/cibox/cibox-sandbox", executable: true)
                == DoctorFinding("agent", .ok, "/usr/lib/cibox/cibox-sandbox."))
        #expect(SetupChecks.assessAgent(path: "/usr/lib/cibox/cibox-sandbox", executable: false).status == .problem)
    }
}
