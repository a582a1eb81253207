// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

/// A registry orb reference as written under `orbs:`: `namespace/name@version`.
package struct OrbReference: Sendable, Hashable {
    /// The orb's namespace, such as `circleci`.
    package var namespace: String
    /// The orb's name, such as `node`.
    package var name: String
    /// The version as written: `5.1.0`, `5.1`, `5`, `volatile` or `dev:label`.
    package var version: String
    /// The reference as written, such as `circleci/node@5.1.0`.
    package var text: String

    /// Makes a reference.
    package init(namespace: String, name: String, version: String) {
        self.namespace = namespace
        self.name = name
        self.version = version
        self.text = "\(namespace)/\(name)@\(version)"
    }

    /// The reference `text` stands for (`namespace/name@version`), or `nil` when it is not one.
    package init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/"), let at = text.firstIndex(of: "@"), slash < at else { return nil }
        let namespace = String(text[..<slash])
        let name = String(text[text.index(after: slash)..<at])
        let version = String(text[text.index(after: at)...])
        let isPart: (String) -> Bool = { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }
        }
        guard isPart(namespace), isPart(name), !version.isEmpty, !version.contains(" ") else { return nil }
        self.init(namespace: namespace, name: name, version: version)
    }
}

/// What an ``OrbSource`` has for a reference: the orb's YAML and the path to show in diagnostics, or why not.
package enum OrbLookup: Sendable {
    /// The orb's source (as `circleci orb source` prints it) and the file it came from.
    case found(text: String, path: String)
    /// No such orb here: the message says what is missing and where to put it.
    case missing(message: String)
}

/// Where the compiler gets registry orbs from, offline (cibox's orb store, a project folder, a test fake).
///
/// The compiler calls ``lookup(_:)`` at most once per distinct reference and compilation, from the compiling
/// thread; implementations do their own I/O and must be safe to call from any thread. Errors are reported as
/// ``OrbLookup/missing(message:)``, never thrown.
package protocol OrbSource: Sendable {
    /// The orb that `reference` names, or why it is missing.
    ///
    /// - Parameter reference: The reference as written in the config (after pipeline parameter substitution).
    /// - Returns: The orb's text and path, or a message naming the orb and the file to place.
    func lookup(_ reference: OrbReference) -> OrbLookup
}

/// An orb source with no orbs: every registry orb other than cibox's built-in ones is missing.
package struct NoOrbs: OrbSource {
    /// Makes the empty source.
    package init() {}

    /// Always ``OrbLookup/missing(message:)``, naming the reference.
    package func lookup(_ reference: OrbReference) -> OrbLookup {
        .missing(message: "orb '\(reference.text)' is not available offline")
    }
}

/// Options of one compilation.
package struct CompileOptions: Sendable {
    /// Where registry orbs come from.
    package var orbs: any OrbSource
    /// Whether a missing orb is a warning (its elements fail when run) rather than an error.
    package var allowMissingOrbs: Bool
    /// The most bytes of text the config may expand to, once through YAML aliases and again through its
    /// elements (settings' `config.max_expanded_bytes`); past it the config is refused.
    package var maxExpandedBytes: Int

    /// Makes options; the default has no orbs, treats a missing orb as an error and has the default size limit.
    package init(
        orbs: any OrbSource = NoOrbs(), allowMissingOrbs: Bool = false,
        maxExpandedBytes: Int = ConfigSettings.defaultMaxExpandedBytes
    ) {
        self.orbs = orbs
        self.allowMissingOrbs = allowMissingOrbs
        self.maxExpandedBytes = maxExpandedBytes
    }
}
