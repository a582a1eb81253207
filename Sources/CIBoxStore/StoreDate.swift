// cibox — CI in a box. MIT licence, see LICENSE.

package import Foundation
package import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// A date as the store writes it: GRDB's own text for a `Date`, `yyyy-MM-dd HH:mm:ss.SSS` in UTC, made by hand.
///
/// GRDB makes that text with a `DateFormatter`, whose first use loads ICU's calendar, locale and number data: about
/// 1 ms of every `cibox` process that writes a date, and 2.5 MB of ICU data resident in the daemon for good. Every
/// date the store writes goes through this type instead (arguments as `date.stored`, records through
/// ``encodingStrategy``); reading is GRDB's, which parses the text without ICU. The text is the same to the
/// millisecond (rounded as Foundation does), so old and new rows sort and compare alike.
package struct StoreDate: DatabaseValueConvertible {
    package let date: Date

    package init(date: Date) {
        self.date = date
    }

    package var databaseValue: DatabaseValue { Self.text(date).databaseValue }

    package static func fromDatabaseValue(_ value: DatabaseValue) -> StoreDate? {
        Date.fromDatabaseValue(value).map { StoreDate(date: $0) }
    }

    /// How records write their dates.
    static let encodingStrategy = DatabaseDateEncodingStrategy.custom { text($0) }

    /// `date` as `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
    package static func text(_ date: Date) -> String {
        // Foundation gives ICU the milliseconds since 1970 plus a half, which ICU floors: the nearest millisecond.
        let milliseconds = Int64(((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5).rounded(.down))
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let fraction = Int(remainder < 0 ? remainder + 1000 : remainder)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-"
            + padded(Int(parts.tm_mday), 2) + " " + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2)
            + ":" + padded(Int(parts.tm_sec), 2) + "." + padded(fraction, 3)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Date {
    /// This date as the store writes it (see ``StoreDate``).
    var stored: StoreDate { StoreDate(date: self) }
}

/// A record of the store: its dates are written as ``StoreDate`` writes them.
protocol StoreRecord: EncodableRecord {}

extension StoreRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        StoreDate.encodingStrategy
    }
}

extension ProjectRecord: StoreRecord {}
extension ProjectRefRecord: StoreRecord {}
extension PipelineRecord: StoreRecord {}
extension WorkflowRecord: StoreRecord {}
extension JobRecord: StoreRecord {}
extension StepRecord: StoreRecord {}
extension TestCaseRecord: StoreRecord {}
