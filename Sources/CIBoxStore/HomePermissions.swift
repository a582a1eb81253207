// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who may read what under `$CIBOX_HOME`: cibox's own files are its user's alone (folders 0700, files 0600; cibox
/// runs with umask 077), except what a job's user must reach: the home itself and `work/` (0711: passed through,
/// never listed), the agent commands in `bin/` (0755), and the HTML report when settings say it is served
/// (`report: { world_readable: true }`: 0755/0644). The image store (`images/`) is closed at its top only: the
/// unpacked roots under it keep their images' own modes (a `/tmp` of 1777, a home of its user's), which jobs'
/// containers see.
package enum HomePermissions {
    /// The folders a job's user passes through on the way to its own folder or its agent commands.
    static let passThrough = ["", "/work"]
    /// Top entries whose modes are not cibox's-user-only: job folders, the agent commands, a served report.
    static let shared: Set<String> = ["work", "bin", "reports"]
    /// Top entries whose contents keep their own modes: only the entry itself is made private.
    static let closedAtTop: Set<String> = ["images"]

    /// Makes the home's top folders as they must be (created when missing), and fixes an existing home whose
    /// files others could read (a home made beforehand, or by an older cibox): every file and folder of cibox's
    /// loses its group and other permissions. Job folders (`work/<job>`, the job's user's) are left alone.
    /// - Parameter reportIsWorldReadable: whether `reports/` is served (then it is left readable).
    /// - Returns: how many entries were made private (0 when the home already was).
    @discardableResult
    package static func secure(home: String, reportIsWorldReadable: Bool) -> Int {
        try? Folders.make(home, mode: 0o711)
        for folder in passThrough {
            try? Folders.make(home + folder, mode: 0o711)
            chmod(home + folder, 0o711)
        }
        guard isExposed(home) else { return 0 }
        var changed = 0
        let skipped = reportIsWorldReadable ? shared : shared.subtracting(["reports"])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: home)) ?? [] where !skipped.contains(name) {
            if closedAtTop.contains(name) {
                var info = stat()
                if lstat(home + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o077 != 0 {
                    chmod(home + "/" + name, 0o700)
                    changed += 1
                }
                continue
            }
            changed += FileModes.makePrivate(home + "/" + name)
        }
        return changed
    }

    /// Whether something at the top of the home (its files, its folders) is readable by others.
    static func isExposed(_ home: String) -> Bool {
        !exposedEntries(home).isEmpty
    }

    /// The names of the entries at the top of the home (its files, its folders) that others may read or write,
    /// besides those meant to be shared (`work`, `bin`, `reports`); sorted.
    package static func exposedEntries(_ home: String) -> [String] {
        var names: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: home)) ?? [] {
            guard !shared.contains(name) else { continue }
            var info = stat()
            if lstat(home + "/" + name, &info) == 0, info.st_mode & 0o077 != 0, info.st_mode & S_IFMT != S_IFLNK {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// Gives `folder` (and what it holds) the report's modes: readable by everyone when it is served, else by
    /// cibox's user alone.
    package static func setReportModes(_ folder: String, worldReadable: Bool) {
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { return }
        let isFolder = info.st_mode & S_IFMT == S_IFDIR
        let mode: mode_t = worldReadable ? (isFolder ? 0o755 : 0o644) : (isFolder ? 0o700 : 0o600)
        if info.st_mode & 0o777 != mode { chmod(folder, mode) }
        guard isFolder else { return }
        for child in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            setReportModes(folder + "/" + child, worldReadable: worldReadable)
        }
    }
}
