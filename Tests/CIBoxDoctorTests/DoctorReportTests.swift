// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDoctor
import Testing

/// What `cibox doctor --json` prints, word for word (the text: CIBoxCommandsTests).
@Suite struct DoctorReportTests {
    @Test func theJSONHasEveryKeyEveryTime() throws {
        let report = DoctorReport(
            home: "/srv/ci",
            findings: [
                DoctorFinding("agent", .ok, "/usr/lib/cibox/cibox-sandbox."),
                DoctorFinding("runc", .problem, "Not found.", fix: "Install it: `apt install runc`."),
            ])
        #expect(
            try report.json() == """
                {
                  "checks" : [
                    {
                      "check" : "agent",
                      "fix" : null,
                      "status" : "ok",
                      "summary" : "/usr/lib/cibox/cibox-sandbox."
                    },
                    {
                      "check" : "runc",
                      "fix" : "Install it: `apt install runc`.",
                      "status" : "problem",
                      "summary" : "Not found."
                    }
                  ],
                  "home" : "/srv/ci",
                  "problems" : 1,
                  "warnings" : 0
                }

                """)
    }

    @Test func theVerdictCountsProblemsAndWarnings() {
        func verdict(_ statuses: [DoctorStatus]) -> String {
            DoctorReport(home: "/h", findings: statuses.map { DoctorFinding("x", $0, "s") }).verdict
        }
        #expect(verdict([.ok, .ok]) == "No problems found.")
        #expect(verdict([.ok, .warning, .warning]) == "No problems, 2 warnings.")
        #expect(verdict([.problem, .problem, .ok]) == "2 problems, 0 warnings.")
    }
}
