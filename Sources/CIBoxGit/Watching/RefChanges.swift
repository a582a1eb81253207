// cibox — CI in a box. MIT licence, see LICENSE.

/// A branch or tag that moved or appeared between two snapshots of a repository's references.
package struct RefChange: Sendable, Equatable {
    /// The full reference name (`refs/heads/main`, `refs/tags/v1.0`).
    package var ref: String
    /// The commit the reference pointed to before; nil when the reference is new.
    package var oldSHA: String?
    /// The commit the reference points to now.
    package var newSHA: String

    /// Makes a change.
    ///
    /// - Parameters:
    ///   - ref: the full reference name.
    ///   - oldSHA: the previous commit, nil for a new reference.
    ///   - newSHA: the current commit.
    package init(ref: String, oldSHA: String?, newSHA: String) {
        self.ref = ref
        self.oldSHA = oldSHA
        self.newSHA = newSHA
    }

    /// The branch's short name when the reference is a branch.
    package var branch: String? { RefName.branch(of: ref) }

    /// The tag's short name when the reference is a tag.
    package var tag: String? { RefName.tag(of: ref) }
}

/// Compares snapshots of references (as returned by `GitRepository.references()`).
package enum RefChanges {
    /// The branches and tags that moved or appeared from `old` to `new`, sorted by reference name.
    ///
    /// Deleted references produce nothing, nor do references other than `refs/heads/*` and `refs/tags/*`.
    ///
    /// - Parameters:
    ///   - old: reference name → commit sha, as last seen.
    ///   - new: reference name → commit sha, now.
    /// - Returns: one change per moved or new branch or tag.
    package static func between(old: [String: String], new: [String: String]) -> [RefChange] {
        new.compactMap { ref, sha -> RefChange? in
            guard RefName.isBranchOrTag(ref) else { return nil }
            let previous = old[ref]
            guard previous != sha else { return nil }
            return RefChange(ref: ref, oldSHA: previous, newSHA: sha)
        }
        .sorted { $0.ref < $1.ref }
    }
}
