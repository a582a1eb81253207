// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Testing

@testable import CIBoxReport

/// The report's own number formatting against printf's, which it replaced for speed.
@Suite struct FormatTests {
    @Test func durationsReadAsPrintfWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0, 0.004, 0.005, 0.125, 0.375, 1.005, 9.994, 9.995, 9.999, 10, 59.4, 59.5, 3599, 3600, 86_399,
        ]
        values += (0..<2000).map { _ in Double.random(in: 0..<10, using: &generator) }
        values += (0..<2000).map { _ in Double.random(in: 10..<200_000, using: &generator) }
        for value in values {
            let expected: String
            if value < 10 {
                let printed = String(format: "%.2f", value)
                expected = printed + "s"
            } else {
                let whole = Int(value.rounded())
                expected =
                    whole < 60
                    ? "\(whole)s"
                    : whole < 3600
                        ? String(format: "%dm %02ds", whole / 60, whole % 60)
                        : String(format: "%dh %02dm", whole / 3600, whole / 60 % 60)
            }
            #expect(Format.seconds(value) == expected, "\(value)")
        }
    }

    @Test func datesAreUTCWithZeroPadding() {
        #expect(Format.date(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00 UTC")
        #expect(Format.date(Date(timeIntervalSince1970: 1_795_926_703.9)) == "2026-11-29 04:31:43 UTC")
        #expect(Format.date(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29 00:00:00 UTC")
        #expect(Format.date(nil) == "—")
        #expect(Format.padded(7, 3) == "007" && Format.padded(1234, 2) == "1234")
        #expect(Format.words("not_run") == "not run")
    }
}
