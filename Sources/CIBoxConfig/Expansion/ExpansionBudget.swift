// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// The nodes expansion may still produce in one compilation (commands calling commands, matrices, `steps`
/// parameters), against configs that blow up exponentially.
///
/// A reference, shared by every pass of one compilation that produces nodes (substitution, step expansion).
final class ExpansionBudget {
    /// The most nodes expansion may produce before cibox stops with an error.
    static let limit = 3_000_000

    /// Where the error goes.
    private let decoder: NodeDecoder
    /// Nodes produced so far.
    private var expandedNodes = 0
    /// Whether the budget was exceeded (reported once).
    private var isOverBudget = false

    /// A full budget for one compilation.
    init(decoder: NodeDecoder) {
        self.decoder = decoder
    }

    /// Spends `count` nodes; whether the budget is now spent (reported once, at `location`).
    func spend(_ count: Int, at location: SourceLocation) -> Bool {
        expandedNodes += count
        guard expandedNodes > Self.limit else { return false }
        if !isOverBudget {
            isOverBudget = true
            decoder.error(
                location, "the config expands to more than \(Self.limit) nodes",
                hint: "check for commands, matrices or 'steps' parameters that multiply each other")
        }
        return true
    }
}
