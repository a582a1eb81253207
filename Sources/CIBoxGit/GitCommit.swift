// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2
package import Foundation

/// A commit with what pipelines need to know.
package struct GitCommit: Sendable, Equatable {
    /// The commit's full id: 40 lowercase hex digits.
    package var sha: String
    /// The id of the commit's root tree (40 hex).
    package var treeID: String
    /// The first paragraph of the message, on one line.
    package var summary: String
    /// The author's name.
    package var authorName: String
    /// The author's email address.
    package var authorEmail: String
    /// The author date (what `git log` shows).
    package var date: Date

    /// Makes a commit value.
    ///
    /// - Parameters:
    ///   - sha: the commit id (40 hex).
    ///   - treeID: the root tree id (40 hex).
    ///   - summary: the message summary.
    ///   - authorName: the author's name.
    ///   - authorEmail: the author's email.
    ///   - date: the author date.
    package init(sha: String, treeID: String, summary: String, authorName: String, authorEmail: String, date: Date) {
        self.sha = sha
        self.treeID = treeID
        self.summary = summary
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.date = date
    }

    /// Reads a commit value from a libgit2 commit handle (borrowed; not freed here).
    init(handle: OpaquePointer) {
        let author = git_commit_author(handle)
        self.init(
            sha: GitOID.string(git_commit_id(handle)),
            treeID: GitOID.string(git_commit_tree_id(handle)),
            summary: git_commit_summary(handle).map { String(cString: $0) } ?? "",
            authorName: author.flatMap { $0.pointee.name }.map { String(cString: $0) } ?? "",
            authorEmail: author.flatMap { $0.pointee.email }.map { String(cString: $0) } ?? "",
            date: Date(timeIntervalSince1970: TimeInterval(author?.pointee.when.time ?? 0))
        )
    }
}

/// What a revision resolved to.
package struct ResolvedRevision: Sendable, Equatable {
    /// The commit the revision names (tags peeled).
    package var commit: GitCommit
    /// The branch's short name ("main") when the revision names a branch, or is HEAD while HEAD is on a branch.
    package var branch: String?
    /// The tag's short name ("v1.0") when the revision names a tag.
    package var tag: String?

    /// Makes a resolved revision.
    ///
    /// - Parameters:
    ///   - commit: the commit.
    ///   - branch: the branch short name, if any.
    ///   - tag: the tag short name, if any.
    package init(commit: GitCommit, branch: String? = nil, tag: String? = nil) {
        self.commit = commit
        self.branch = branch
        self.tag = tag
    }
}

/// Conversions between `git_oid` and hex strings.
enum GitOID {
    /// The 40-hex form of `oid`, or "" when it is null.
    static func string(_ oid: UnsafePointer<git_oid>?) -> String {
        guard let oid else { return "" }
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        return buffer.withUnsafeMutableBufferPointer { chars in
            guard let base = chars.baseAddress, git_oid_tostr(base, chars.count, oid) != nil else { return "" }
            return String(cString: base)
        }
    }

    /// Parses a 40-hex id; throws `invalidArgument` when it is not one.
    static func parse(_ hex: String) throws(GitError) -> git_oid {
        let what = "'\(hex)' is not a full 40-hex git object id"
        guard hex.utf8.count == Int(GIT_OID_HEXSZ), hex.allSatisfy(\.isHexDigit) else {
            throw GitError(.invalidArgument, what + ".")
        }
        var oid = git_oid()
        try check(git_oid_fromstr(&oid, hex), "git_oid_fromstr", .invalidArgument, what)
        return oid
    }
}
