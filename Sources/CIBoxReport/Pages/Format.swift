// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

/// How the report writes dates, durations and sizes: fixed formats in UTC, so that pages are deterministic.
enum Format {
    /// `2026-11-29 04:31:43 UTC`.
    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(daysSinceEpoch: days)
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2)) \(padded(secondOfDay / 3600, 2)):"
            + "\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2)) UTC"
    }

    /// `value` (0 or more) in decimal, with zeros in front up to `width` digits. (Not `String(format:)`: on
    /// Linux it goes through NSString, and a project page formats hundreds of dates.)
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A status as words (`not_run` → `not run`).
    static func words(_ status: String) -> String {
        String(status.map { $0 == "_" ? " " : $0 })
    }

    /// The time between `start` and `end`, or nil when either is missing.
    static func duration(from start: Date?, to end: Date?) -> String? {
        guard let start, let end else { return nil }
        return seconds(end.timeIntervalSince(start))
    }

    /// `0.42s`, `12s`, `3m 05s`, `1h 02m`.
    static func seconds(_ value: Double) -> String {
        let value = max(0, value)
        if value < 10 {
            let scaled = value * 100
            // Near a half, only printf (which rounds the exact binary value) knows which way "%.2f" goes.
            if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-6 { return String(format: "%.2fs", value) }
            let hundredths = Int(scaled.rounded())
            return "\(hundredths / 100).\(padded(hundredths % 100, 2))s"
        }
        let whole = Int(value.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(padded(whole % 60, 2))s" }
        return "\(whole / 3600)h \(padded(whole / 60 % 60, 2))m"
    }

    /// A size in binary units (`1.5 MiB`).
    static func bytes(_ value: Int64) -> String {
        ByteCount.format(value)
    }

    /// The first 12 characters of a commit.
    static func shortRevision(_ revision: String) -> String {
        String(revision.prefix(12))
    }

    /// What `pipeline` ran: the first 12 characters of its commit, marked when it was the working tree.
    static func shortRevision(_ pipeline: Pipeline) -> String {
        pipeline.sourceText(revisionLength: 12)
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
    private static func civil(daysSinceEpoch days: Int) -> (Int, Int, Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
