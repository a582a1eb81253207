// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics

/// The home: who owns it, who may read it, and the room left on its disk.
package enum HomeCheck {
    /// What is known of the home folder.
    package struct Facts: Sendable {
        /// Its path.
        package var path: String
        /// Its owner's uid; nil when it does not exist.
        package var owner: UInt32?
        /// Its mode bits (`st_mode & 0o7777`).
        package var mode: UInt32
        /// The owner's user name (its uid when unnamed).
        package var ownerName: String
        /// The uid running cibox.
        package var userID: UInt32
        /// The name of the user running cibox.
        package var userName: String
        /// Top entries of cibox's own that others may read (they should be 0600/0700).
        package var exposed: [String]

        /// Makes the facts.
        package init(
            path: String, owner: UInt32?, mode: UInt32, ownerName: String, userID: UInt32, userName: String,
            exposed: [String]
        ) {
            self.path = path
            self.owner = owner
            self.mode = mode
            self.ownerName = ownerName
            self.userID = userID
            self.userName = userName
            self.exposed = exposed
        }
    }

    /// The `home` finding: owner and modes.
    package static func assess(_ facts: Facts) -> DoctorFinding {
        guard let owner = facts.owner else {
            return DoctorFinding("home", .ok, "\(facts.path) does not exist yet: cibox makes it at its first run.")
        }
        let mode = "0" + String(facts.mode & 0o7777, radix: 8)
        if owner != facts.userID {
            return DoctorFinding(
                "home", .problem,
                "\(facts.path) belongs to \(facts.ownerName), not to \(facts.userName) who runs cibox: its owner could "
                    + "replace cibox's files and folders.",
                fix: "`chown \(facts.userName): \(facts.path)`, or run cibox as \(facts.ownerName).")
        }
        if facts.mode & 0o066 != 0 {
            return DoctorFinding(
                "home", .problem, "\(facts.path) is mode \(mode): other users may list or change it.",
                fix: "`chmod 0711 \(facts.path)` (cibox also sets it at its next start).")
        }
        if !facts.exposed.isEmpty {
            return DoctorFinding(
                "home", .problem,
                "Other users may read \(facts.exposed.joined(separator: ", ")) in \(facts.path).",
                fix: "`chmod -R go-rwx` them (cibox also does it at its next start).")
        }
        return DoctorFinding("home", .ok, "\(facts.path), \(facts.ownerName)'s, mode \(mode).")
    }

    /// The `disk` finding: free space on the home's file system. A problem under 1 GiB (jobs' folders, caches and
    /// images fill it and the database cannot record results), a warning under 5 GiB or 10 %.
    package static func assessSpace(path: String, freeBytes: Int64, totalBytes: Int64) -> DoctorFinding {
        let summary = "\(ByteCount.format(freeBytes)) free of \(ByteCount.format(totalBytes)) at \(path)."
        let fix = "Free space: `cibox gc` removes old pipelines, caches and unused images (see `cibox gc --help`)."
        if freeBytes < 1 << 30 { return DoctorFinding("disk", .problem, "Only " + summary, fix: fix) }
        if freeBytes < 5 << 30 || freeBytes * 10 < totalBytes {
            return DoctorFinding("disk", .warning, "Only " + summary, fix: fix)
        }
        return DoctorFinding("disk", .ok, summary)
    }
}
