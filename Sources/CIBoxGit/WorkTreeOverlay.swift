// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Makes paths of a checked-out copy look like they do in a work tree: copies what exists, removes what does not.
struct WorkTreeOverlay {
    /// The work tree to copy from (absolute).
    let source: String
    /// The checked-out copy to change (absolute).
    let destination: String

    /// Mirrors each repository-relative path: removals first (so a file can replace a folder), then copies.
    ///
    /// Folders in the work tree (an untracked nested repository, a submodule) are skipped.
    func apply(_ paths: Set<String>) throws(GitError) {
        var copies: [String] = []
        for path in paths.sorted() {
            switch kind(of: source + "/" + path) {
            case .missing: try remove(path)
            case .directory: continue
            case .file, .symlink: copies.append(path)
            }
        }
        for path in copies {
            try copy(path)
        }
    }

    /// What is at a path, without following a final symlink.
    private enum Kind { case missing, directory, file, symlink }

    /// The kind of `path` (lstat).
    private func kind(of path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .file
        }
    }

    /// Removes `path` from the copy, then its parent folders that became empty.
    private func remove(_ path: String) throws(GitError) {
        let full = destination + "/" + path
        guard kind(of: full) != .missing else { return }
        do {
            try FileManager.default.removeItem(atPath: full)
        } catch {
            throw failure("cannot remove '\(full)'", error.localizedDescription)
        }
        var parent = (path as NSString).deletingLastPathComponent
        while !parent.isEmpty {
            // rmdir fails on a folder that still has files: that is where pruning stops.
            guard rmdir(destination + "/" + parent) == 0 else { break }
            parent = (parent as NSString).deletingLastPathComponent
        }
    }

    /// Copies the file or symlink at `path` from the work tree into the copy, replacing whatever is there.
    private func copy(_ path: String) throws(GitError) {
        let from = source + "/" + path
        let to = destination + "/" + path
        try makeParents(of: path)
        if kind(of: to) != .missing {
            do {
                try FileManager.default.removeItem(atPath: to)
            } catch {
                throw failure("cannot replace '\(to)'", error.localizedDescription)
            }
        }
        var info = stat()
        guard lstat(from, &info) == 0 else { throw failure("cannot read '\(from)'", errnoText()) }
        if info.st_mode & S_IFMT == S_IFLNK {
            do {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: from)
                guard symlink(target, to) == 0 else { throw failure("cannot make symlink '\(to)'", errnoText()) }
            } catch let error as GitError {
                throw error
            } catch {
                throw failure("cannot read symlink '\(from)'", error.localizedDescription)
            }
            return
        }
        do {
            try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to))
        } catch {
            throw failure("cannot copy '\(from)' to '\(to)'", error.localizedDescription)
        }
        guard chmod(to, info.st_mode & 0o7777) == 0 else {
            throw failure("cannot set the mode of '\(to)'", errnoText())
        }
    }

    /// Creates the parent folders of `path` in the copy, replacing files or symlinks that are in the way.
    private func makeParents(of path: String) throws(GitError) {
        var current = destination
        for component in path.split(separator: "/").dropLast() {
            current += "/" + component
            switch kind(of: current) {
            case .directory: continue
            case .missing: break
            case .file, .symlink:
                guard unlink(current) == 0 else { throw failure("cannot replace '\(current)'", errnoText()) }
            }
            guard mkdir(current, 0o755) == 0 else { throw failure("cannot create folder '\(current)'", errnoText()) }
        }
    }

    /// A `checkoutFailed` error naming what could not be done and why.
    private func failure(_ what: String, _ why: String) -> GitError {
        GitError(
            .checkoutFailed,
            "Cannot copy the uncommitted changes of '\(source)' into '\(destination)': \(what): \(why). "
                + "Check the permissions of both folders.")
    }

    /// The text for the current `errno`.
    private func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
