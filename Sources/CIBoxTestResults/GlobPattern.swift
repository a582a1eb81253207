// cibox — CI in a box. MIT licence, see LICENSE.

/// One shell-style pattern of `circleci tests glob`: `*` (no `/`), `**` (crosses `/`; `**/` also matches no
/// folder), `?`, `[abc]`, `[a-z]`, `[!a]`, and `{a,b}` alternatives (expanded first).
package struct GlobPattern: Sendable {
    /// A piece of a pattern after brace expansion.
    enum Token: Equatable, Sendable {
        case literal(Character)
        case anyCharacter
        case star
        case doubleStar
        /// `**/`: zero or more whole folders.
        case folders
        case characterClass([ClosedRange<Character>], negated: Bool)
    }

    /// The pattern as written.
    package let text: String
    /// One token list per brace alternative.
    let alternatives: [[Token]]

    /// Compiles `text`.
    package init(_ text: String) {
        self.text = text
        self.alternatives = Self.expandBraces(text).map(Self.tokens)
    }

    /// Whether `path` (with `/` separators) matches.
    package func matches(_ path: String) -> Bool {
        let characters = Array(path)
        return alternatives.contains { Self.match($0, characters) }
    }

    /// The literal leading folders of the pattern (before any wildcard), e.g. `src/tests` for `src/tests/**/*.py`.
    package var literalPrefix: String {
        var folders: [Substring] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: false).dropLast() {
            if part.contains(where: { "*?[{".contains($0) }) { break }
            folders.append(part)
        }
        return folders.joined(separator: "/")
    }

    /// `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`. Unbalanced braces stay literal.
    static func expandBraces(_ text: String) -> [String] {
        let characters = Array(text)
        guard let open = characters.firstIndex(of: "{") else { return [text] }
        var depth = 0
        var commas: [Int] = []
        var close: Int?
        for index in open..<characters.count {
            switch characters[index] {
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { close = index }
            case "," where depth == 1: commas.append(index)
            default: break
            }
            if close != nil { break }
        }
        guard let close else { return [text] }
        let head = String(characters[..<open])
        let tail = String(characters[(close + 1)...])
        let bounds = [open] + commas + [close]
        var results: [String] = []
        for index in 0..<(bounds.count - 1) {
            let option = String(characters[(bounds[index] + 1)..<bounds[index + 1]])
            results += expandBraces(head + option + tail)
        }
        return results
    }

    private static func tokens(_ text: String) -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*":
                guard index < characters.count, characters[index] == "*" else {
                    tokens.append(.star)
                    continue
                }
                index += 1
                let atStart = tokens.isEmpty || tokens.last == .literal("/")
                if atStart, index < characters.count, characters[index] == "/" {
                    index += 1
                    tokens.append(.folders)
                } else {
                    tokens.append(.doubleStar)
                }
            case "?": tokens.append(.anyCharacter)
            case "[":
                if let (token, next) = characterClass(characters, from: index) {
                    tokens.append(token)
                    index = next
                } else {
                    tokens.append(.literal("["))
                }
            case "\\" where index < characters.count:
                tokens.append(.literal(characters[index]))
                index += 1
            default: tokens.append(.literal(character))
            }
        }
        return tokens
    }

    /// Reads `[…]` whose content starts at `start`; nil when it is not closed.
    private static func characterClass(_ characters: [Character], from start: Int) -> (Token, Int)? {
        var index = start
        var negated = false
        if index < characters.count, characters[index] == "!" || characters[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while index < characters.count {
            let character = characters[index]
            if character == "]" && !first { return (.characterClass(ranges, negated: negated), index + 1) }
            first = false
            if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]",
                character <= characters[index + 2]
            {
                ranges.append(character...characters[index + 2])
                index += 3
            } else {
                ranges.append(character...character)
                index += 1
            }
        }
        return nil
    }

    /// Dynamic programming over pattern tokens × path characters (no backtracking blow-up).
    private static func match(_ tokens: [Token], _ path: [Character]) -> Bool {
        var row = [Bool](repeating: false, count: path.count + 1)
        row[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: path.count + 1)
            for end in 0...path.count {
                switch token {
                case .star, .doubleStar:
                    // Extends the previous match by any characters (no '/' for a single star).
                    if row[end] {
                        next[end] = true
                    } else if end > 0, next[end - 1], token == .doubleStar || path[end - 1] != "/" {
                        next[end] = true
                    }
                case .folders:
                    // Zero folders, or any prefix ending with '/'.
                    if row[end] {
                        next[end] = true
                    } else if end > 0, path[end - 1] == "/" {
                        next[end] = (0..<end).contains { row[$0] }
                    }
                default:
                    next[end] = end > 0 && row[end - 1] && matchesOne(token, path[end - 1])
                }
            }
            row = next
        }
        return row[path.count]
    }

    private static func matchesOne(_ token: Token, _ character: Character) -> Bool {
        switch token {
        case .literal(let expected): character == expected
        case .anyCharacter: character != "/"
        case .characterClass(let ranges, let negated):
            character != "/" && ranges.contains { $0.contains(character) } != negated
        default: false
        }
    }
}
