// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxImages
package import CIBoxStore

/// The home's database and image store.
package enum StoreChecks {
    /// The `database` finding: it opens, SQLite finds it sound, and its schema is this cibox's.
    package static func assessDatabase(_ health: StoreHealth, path: String) -> DoctorFinding {
        guard health.exists else {
            return DoctorFinding("database", .ok, "No database yet: cibox makes \(path) at its first run.")
        }
        if let error = health.openError {
            return DoctorFinding(
                "database", .problem, "\(path) cannot be opened: \(error)",
                fix: "Check that it is a cibox database, its owner and mode; else restore it from a backup.")
        }
        if health.integrity != ["ok"] {
            return DoctorFinding(
                "database", .problem,
                "SQLite's integrity check of \(path) found: \(firstThree(health.integrity, separator: "; ")).",
                fix: "Stop cibox (`systemctl stop cibox`), keep a copy of the file, then `sqlite3 \(path) .recover | "
                    + "sqlite3 recovered.sqlite` and put recovered.sqlite in its place.")
        }
        if !health.unknownMigrations.isEmpty {
            return DoctorFinding(
                "database", .problem,
                "\(path) was written by a newer cibox (migrations \(health.unknownMigrations.joined(separator: ", ")) "
                    + "are unknown to this one).",
                fix: "Install the newer cibox again, or restore the database from before it ran.")
        }
        let size = ByteCount.format(health.bytes)
        if !health.pendingMigrations.isEmpty {
            return DoctorFinding(
                "database", .warning,
                "\(path) (\(size)) is sound; \(health.pendingMigrations.count) migration(s) of this cibox have not run "
                    + "yet (\(health.pendingMigrations.joined(separator: ", "))).",
                fix: "They run at cibox's next start: `systemctl restart cibox`, or any cibox command on this home.")
        }
        return DoctorFinding("database", .ok, "\(path) (\(size)): integrity ok, schema current.")
    }

    /// The `images` finding: each stored image's manifest, config and layers are there and whole.
    package static func assessImages(_ health: ImageStoreHealth, folder: String) -> DoctorFinding {
        guard health.problems.isEmpty else {
            return DoctorFinding(
                "images", .problem, firstThree(health.problems, separator: " "),
                fix: "Remove each damaged image (`cibox image remove NAME`) and load or pull it again (`cibox image "
                    + "load FILE`, `cibox image pull NAME`).")
        }
        if health.images == 0 { return DoctorFinding("images", .ok, "No images in \(folder).") }
        return DoctorFinding(
            "images", .ok,
            "\(health.images) name(s) of \(health.manifests) image(s) in \(folder): manifests, configs and layers whole."
        )
    }

    /// The first three of `items` joined, and how many more there are.
    static func firstThree(_ items: [String], separator: String) -> String {
        items.prefix(3).joined(separator: separator) + (items.count > 3 ? " (and \(items.count - 3) more)" : "")
    }
}
