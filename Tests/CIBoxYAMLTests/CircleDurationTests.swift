// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxYAML
import Testing

@Suite struct CircleDurationTests {
    @Test(
        arguments: [
            ("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("90", 90), ("1.25h", 4500), ("2m30s", 150),
            (" 20m ", 1200),
        ] as [(String, Double)])
    func readsDurations(_ text: String, _ seconds: Double) {
        #expect(CircleDuration.seconds(from: text) == seconds)
    }

    @Test(arguments: ["", "m", "10x", "-5m", "1.2.3s", "ten minutes"])
    func rejectsMalformedDurations(_ text: String) {
        #expect(CircleDuration.seconds(from: text) == nil)
    }
}
