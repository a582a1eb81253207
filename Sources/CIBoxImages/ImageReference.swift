// cibox — CI in a box. MIT licence, see LICENSE.

/// An image reference normalised as Docker does: `node:20` is `docker.io/library/node:20`, a name without a tag
/// or digest gets `latest`, `localhost:5000/x` keeps its registry, and `@sha256:…` pins a digest.
package struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host (and port): `docker.io` for names without one.
    package var registry: String
    /// The repository path: `library/node` for Docker Hub's official images.
    package var repository: String
    /// The tag (`latest` when neither a tag nor a digest was given), or nil.
    package var tag: String?
    /// The pinned manifest digest (`sha256:<hex>`), or nil.
    package var digest: String?

    /// The default registry of short names.
    package static let defaultRegistry = "docker.io"

    /// Parses and normalises `text`.
    /// - Throws: `ImageError.Code.badReference` naming the text and what is wrong.
    package init(parsing text: String) throws(ImageError) {
        func bad(_ why: String) -> ImageError {
            ImageError(.badReference, "'\(text)' is not a valid image reference: \(why).")
        }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let digest = String(rest[rest.index(after: at)...])
            guard ImageDigest.isValid(digest) else { throw bad("the digest must be sha256: and 64 hex digits") }
            self.digest = digest
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let tag = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(tag) else {
                throw bad("the tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
            }
            self.tag = tag
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            registry = first == "index.docker.io" ? Self.defaultRegistry : first
            components.removeFirst()
        } else {
            registry = Self.defaultRegistry
        }
        if registry == Self.defaultRegistry, components.count == 1 { components.insert("library", at: 0) }
        guard components.allSatisfy(Self.isValidComponent) else {
            throw bad("the name must be lowercase letters, digits and separators ('.', '_', '-', '/')")
        }
        repository = components.joined(separator: "/")
        if tag == nil, digest == nil { tag = "latest" }
    }

    /// The full reference: `registry/repository[:tag][@digest]`.
    package var description: String {
        "\(registry)/\(repository)" + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "")
    }

    /// The reference with a different tag and no digest (a loaded image's name).
    package func tagged(_ tag: String) -> ImageReference {
        var copy = self
        copy.tag = tag
        copy.digest = nil
        return copy
    }

    /// The reference pinned to `digest` with no tag: a digest record's name (`registry/repository@sha256:…`).
    package func pinned(_ digest: String) -> ImageReference {
        var copy = self
        copy.tag = nil
        copy.digest = digest
        return copy
    }

    /// Whether the normalised reference `text` (a record's) names this reference's registry and repository.
    package func holds(_ text: String) -> Bool {
        let prefix = "\(registry)/\(repository)"
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.dropFirst(prefix.count)
        return rest.first == ":" || rest.first == "@"
    }

    private static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.utf8.first, tag.utf8.count <= 128, first != UInt8(ascii: "."),
            first != UInt8(ascii: "-")
        else { return false }
        return tag.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || isSeparator($0) }
    }

    private static func isValidComponent(_ component: String) -> Bool {
        guard let first = component.utf8.first, let last = component.utf8.last, isLowerAlphanumeric(first),
            isLowerAlphanumeric(last)
        else { return false }
        return component.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || isSeparator($0) }
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

/// Content digests: `sha256:` and 64 lowercase hex digits.
package enum ImageDigest {
    /// Whether `text` is a sha256 digest cibox can address.
    package static func isValid(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.utf8.dropFirst(7)
        return hex.count == 64
            && hex.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    /// The hex digits of a valid digest.
    package static func hex(_ digest: String) -> String {
        String(digest.dropFirst(7))
    }
}
