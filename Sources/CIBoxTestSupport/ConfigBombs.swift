// cibox — CI in a box. MIT licence, see LICENSE.

/// Small configs that expand to a lot, the hostile kinds cibox must read cheaply: aliases of aliases, commands that
/// use commands, and many aliases of one large text.
package enum ConfigBombs {
    /// A text of `count` bytes of `x` (or of `<` with `angles`, which a template renderer must go through).
    package static func filler(_ count: Int, angles: Bool = false) -> String {
        String(repeating: angles ? "<" : "x", count: count)
    }

    /// Lists that alias the previous list ten times, `levels` deep, under the top-level key `aliases`, starting
    /// from one string of `bytes` bytes: `10^levels` copies once expanded. Anchor `l<k>` is on line `k + 3`.
    ///
    /// - Parameters:
    ///   - bytes: The size of the aliased string.
    ///   - levels: How many lists alias the one before.
    package static func aliases(bytes: Int, levels: Int) -> String {
        var lines = ["version: 2.1", "aliases:", "  s: &l0 \"\(filler(bytes))\""]
        for level in 1...levels {
            let previous = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("  l\(level): &l\(level) [\(previous)]")
        }
        return (lines + trivialJob).joined(separator: "\n") + "\n"
    }

    /// Commands `c0` (one `run` step of `bytes` bytes) to `c<levels>`, each using the one before ten times, and a
    /// job that uses the last: `10^levels` steps once expanded. The steps of `c<k>` are on line `4 + 2k`.
    ///
    /// - Parameters:
    ///   - bytes: The size of the one command.
    ///   - levels: How many commands use the one before.
    package static func commands(bytes: Int, levels: Int) -> String {
        var lines = ["version: 2.1", "commands:", "  c0:", "    steps: [{run: \"echo \(filler(bytes))\"}]"]
        for level in 1...levels {
            let previous = Array(repeating: "c\(level - 1)", count: 10).joined(separator: ", ")
            lines += ["  c\(level):", "    steps: [\(previous)]"]
        }
        lines += ["jobs:", "  build:", "    steps: [c\(levels)]", "workflows:", "  w:", "    jobs: [build]"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A job whose `count` steps each run the same aliased text of `bytes` bytes of `<`, which the template
    /// renderer must go through for each step (the text holds no template).
    ///
    /// - Parameters:
    ///   - bytes: The size of the aliased text.
    ///   - count: How many steps alias it.
    package static func aliasedTemplates(bytes: Int, count: Int) -> String {
        var lines = [
            "version: 2.1", "aliases:", "  text: &text \"\(filler(bytes, angles: true))\"", "jobs:", "  build:",
        ]
        lines.append("    steps:")
        lines += Array(repeating: "      - run: *text", count: count)
        lines += ["workflows:", "  w:", "    jobs: [build]"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The job and workflow that make a config valid.
    static let trivialJob = ["jobs:", "  build:", "    steps: [checkout]", "workflows:", "  w:", "    jobs: [build]"]
}
