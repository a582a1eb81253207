// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore
import Foundation
import GRDB
import Testing

/// The store's dates are written without `DateFormatter`: the text must be GRDB's own to the character, or old and
/// new rows would stop sorting and comparing alike.
@Suite struct StoreDateTests {
    @Test func theTextIsGRDBsForEveryKindOfDate() {
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_428_800.9999),
            Date(timeIntervalSince1970: 1_796_428_800.0005), Date(timeIntervalSince1970: 1_796_428_799.9995),
            Date(timeIntervalSince1970: 951_782_400.5),  // 2000-02-29
            Date(timeIntervalSince1970: 4_102_444_799.999),  // 2099-12-31 23:59:59.999
            Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: -86_400.001), Date(),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -2e9...4e9, using: &generator)))
        }
        for _ in 0..<2_000 {
            // Close to a millisecond's edge, where rounding and truncation part.
            let whole = Double(Int.random(in: 1_600_000_000_000...1_900_000_000_000, using: &generator)) / 1000
            dates.append(Date(timeIntervalSince1970: whole + Double.random(in: -1e-6...1e-6, using: &generator)))
        }
        let different = dates.filter { StoreDate.text($0) != String.fromDatabaseValue($0.databaseValue) }.prefix(5)
            .map {
                "\($0.timeIntervalSince1970): \(StoreDate.text($0)) ≠ \(String.fromDatabaseValue($0.databaseValue) ?? "")"
            }
        #expect(different.isEmpty, "\(different)")
        #expect(StoreDate.text(Date(timeIntervalSince1970: 1_796_428_800.25)) == "2026-12-05 00:00:00.250")
    }

    @Test func readingGivesBackTheDateToTheMillisecond() {
        let date = Date(timeIntervalSince1970: 1_796_428_800.123)
        let read = StoreDate.fromDatabaseValue(StoreDate(date: date).databaseValue)?.date
        #expect(read.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
