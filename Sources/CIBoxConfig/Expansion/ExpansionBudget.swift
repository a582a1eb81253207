// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// What expansion may still produce in one compilation (commands calling commands, matrices, `steps` parameters),
/// against configs that blow up: nodes, and bytes of text.
///
/// Every node that substitution and step expansion go through is spent, with its text: expansion's work is what it
/// spends, so a compilation that stays within the budget costs time linear in the limit. Past either limit, one
/// error names the element being expanded where it was used, and expansion stops.
///
/// A reference, shared by every pass of one compilation that produces nodes (substitution, step expansion).
final class ExpansionBudget {
    /// The most nodes expansion may produce before cibox stops with an error.
    static let nodeLimit = 3_000_000

    /// Where the error goes.
    private let decoder: NodeDecoder
    /// The most bytes of text expansion may produce.
    private let byteLimit: Int
    /// Nodes produced so far.
    private var expandedNodes = 0
    /// Bytes of text produced so far.
    private var expandedBytes = 0
    /// Whether the budget was exceeded (reported once).
    private(set) var isSpent = false
    /// The elements being expanded, outermost first, each with where it is used (for the error's place).
    private var places: [(element: String, location: SourceLocation)] = []

    /// A full budget for one compilation, whose expansion may produce at most `byteLimit` bytes of text.
    init(decoder: NodeDecoder, byteLimit: Int) {
        self.decoder = decoder
        self.byteLimit = byteLimit
    }

    /// Runs `body`, the expansion of `element` used at `location`: an error while it runs names it and that place.
    ///
    /// - Parameters:
    ///   - element: How messages name it, such as `command 'install'`.
    ///   - location: Where it is used.
    ///   - body: The expansion.
    /// - Returns: What `body` returns.
    func expanding<Result>(_ element: String, at location: SourceLocation, _ body: () -> Result) -> Result {
        places.append((element, location))
        defer { places.removeLast() }
        return body()
    }

    /// Spends `nodes` nodes and `bytes` bytes of text; whether the budget is now spent (reported once: at the
    /// innermost element being expanded, else at `location`).
    func spend(nodes: Int = 1, bytes: Int = 0, at location: SourceLocation) -> Bool {
        if isSpent { return true }
        expandedNodes += nodes
        expandedBytes += bytes
        if expandedNodes > Self.nodeLimit {
            isSpent = true
            decoder.error(
                places.last?.location ?? location, "the config expands to more than \(Self.nodeLimit) nodes",
                hint: "check for commands, matrices or 'steps' parameters that multiply each other")
        } else if expandedBytes > byteLimit {
            isSpent = true
            let size = ByteCount.format(Int64(byteLimit))
            let place = places.last.map { "expanding \($0.element) here takes" } ?? "expanding this takes"
            decoder.error(
                places.last?.location ?? location,
                "\(place) the config past \(size) of text, the most cibox expands a config to",
                hint: "commands that use other commands many times, matrices and 'steps' parameters multiply what "
                    + "they repeat; the limit is `config: { max_expanded_bytes }` in cibox's settings.yml")
        }
        return isSpent
    }
}
