// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxConfig

/// A fake orb store: orbs by reference text (`acme/tools@1.0.0`), exact versions only.
package struct FakeOrbs: OrbSource {
    /// The orbs' YAML by reference text.
    package var orbs: [String: String]

    /// A store with `orbs`.
    package init(orbs: [String: String]) {
        self.orbs = orbs
    }

    /// The orb of exactly `reference`'s text, shown as `orbs/REFERENCE.yml`; else a message saying where to put it.
    package func lookup(_ reference: OrbReference) -> OrbLookup {
        guard let text = orbs[reference.text] else {
            return .missing(message: "orb '\(reference.text)' is missing: place it in orbs/\(reference.text).yml")
        }
        return .found(text: text, path: "orbs/\(reference.text).yml")
    }
}
