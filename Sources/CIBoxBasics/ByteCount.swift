// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Parses and prints memory sizes the way settings and messages write them.
package enum ByteCount {
    /// `64 MiB`, `2 GiB`, `512 B`: the largest binary unit that keeps at most one decimal.
    package static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 || value == value.rounded() { return "\(Int64(value.rounded())) \(units[unit])" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }

    /// Parses `4096`, `64M`, `64MiB`, `2G`, `2GiB`, `512K`, `1.5GiB` (K/M/G are binary, as in CircleCI's docs
    /// and Docker); nil when the text is not a size.
    package static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1024), ("MB", 1_048_576), ("GB", 1_073_741_824), ("TB", 1_099_511_627_776),
            ("K", 1024), ("M", 1_048_576), ("G", 1_073_741_824), ("T", 1_099_511_627_776), ("B", 1),
        ]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0 else { return nil }
            return Int64(value * factor)
        }
        guard let value = Int64(trimmed), value >= 0 else { return nil }
        return value
    }
}
