// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

extension Date {
    /// ISO 8601 in UTC with milliseconds, for example `2026-11-29T04:31:43.120Z`.
    package var iso8601: String {
        formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        )
    }
}
