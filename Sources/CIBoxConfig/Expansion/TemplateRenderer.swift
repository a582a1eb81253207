// cibox — CI in a box. MIT licence, see LICENSE.

/// The state of rendering one text's `<< … >>` templates (see ``Substitution/render(_:_:at:depth:)``): what is
/// written so far, and what is known about the rest, so that the text is gone through once.
///
/// Every search moves forward: the next `>>` is remembered until the renderer passes it, and the section closers
/// (`<</ name >>`) are indexed once, on the first section. A text full of `<<` without `>>`, or of sections never
/// closed, costs one pass like any other.
struct TemplateRenderer {
    /// The text, as UTF-8 bytes (indices are the whole array's).
    let text: ArraySlice<UInt8>
    /// The first byte not yet written or skipped.
    private var position: Int
    /// What is written so far.
    private var output: [UInt8] = []
    /// Whether what is written holds a `<<` still to process.
    private var holdsTemplate = false
    /// The last search for `>>`: where it started and what it found (`nil`: none from there to the end).
    private var lastClose: (from: Int, found: Int?)?
    /// The section closers by name, in order: where `<</` starts and where the text goes on after its `>>`.
    private var closers: [ArraySlice<UInt8>: [(start: Int, resume: Int)]]?

    /// A renderer at the start of `text`.
    init(text: ArraySlice<UInt8>) {
        self.text = text
        position = text.startIndex
        output.reserveCapacity(text.count)
    }

    /// The next `<<` that is not escaped, with the text before it written; escaped ones (`\<<`) are written as they
    /// are. `nil` when there is none left.
    mutating func nextOpener() -> Int? {
        while let open = TemplateText.find(TemplateText.open, in: text, from: position) {
            if open > position, text[open - 1] == UInt8(ascii: "\\") {
                output += text[position..<(open + 2)]
                holdsTemplate = true
                position = open + 2
                continue
            }
            output += text[position..<open]
            position = open
            return open
        }
        return nil
    }

    /// The first `>>` after the opener at `open`; `nil` when there is none, which leaves the rest as written.
    mutating func close(after open: Int) -> Int? {
        let from = open + 2
        if let last = lastClose, last.from <= from, last.found.map({ $0 >= from }) ?? true {
            if last.found == nil { holdsTemplate = true }
            return last.found
        }
        let found = TemplateText.find(TemplateText.close, in: text, from: from)
        lastClose = (from, found)
        if found == nil { holdsTemplate = true }
        return found
    }

    /// Writes the opener at the current place as it is (what follows is not a template).
    mutating func keepOpener() {
        output += TemplateText.open
        holdsTemplate = true
        position += 2
    }

    /// Writes `replacement` for the template that ends just before `end`.
    mutating func replace(through end: Int, with replacement: String, holdsTemplate replacementHoldsTemplate: Bool) {
        output += replacement.utf8
        holdsTemplate = holdsTemplate || replacementHoldsTemplate
        position = end
    }

    /// Writes a shown section's rendered body.
    mutating func append(_ rendered: Substitution.Rendered) {
        output += rendered.text.utf8
        holdsTemplate = holdsTemplate || rendered.mayContainTemplate
    }

    /// Goes on at `resume`, leaving out what is before it.
    mutating func skip(to resume: Int) {
        position = resume
    }

    /// Where the body of the section `name` that starts at `start` ends, and where the text goes on after its
    /// closer; `nil` when it is not closed.
    mutating func sectionEnd(named name: ArraySlice<UInt8>, from start: Int) -> (bodyEnd: Int, resume: Int)? {
        let index = closers ?? Self.indexClosers(text)
        closers = index
        guard let list = index[name] else { return nil }
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].start < start { low = middle + 1 } else { high = middle }
        }
        return low < list.count ? (list[low].start, list[low].resume) : nil
    }

    /// Every `<</ name >>` of `text` by name: each `<</` with the first `>>` after it (as CircleCI's renderer looks
    /// for them), in order; one pass.
    static func indexClosers(_ text: ArraySlice<UInt8>) -> [ArraySlice<UInt8>: [(start: Int, resume: Int)]] {
        var result: [ArraySlice<UInt8>: [(start: Int, resume: Int)]] = [:]
        var search = text.startIndex
        var nextClose: Int? = text.startIndex
        while let slash = TemplateText.find(TemplateText.sectionCloser, in: text, from: search) {
            let from = slash + 3
            if let known = nextClose, known < from {
                nextClose = TemplateText.find(TemplateText.close, in: text, from: from)
            }
            guard let end = nextClose else { break }
            result[TemplateText.trimmingSpaces(text[from..<end]), default: []].append((slash, end + 2))
            search = from
        }
        return result
    }

    /// The text written, the rest of the text after it, and whether it holds a `<<` still to process.
    mutating func finish() -> Substitution.Rendered {
        output += text[position...]
        return Substitution.Rendered(text: TemplateText.string(output[...]), mayContainTemplate: holdsTemplate)
    }
}

/// Byte-level pieces of CircleCI's template syntax, on UTF-8 text (`<<`, `>>`, `<</` and names are ASCII, and no
/// byte of a multi-byte character is ASCII, so byte matches are character matches).
enum TemplateText {
    /// `<<`.
    static let open: [UInt8] = Array("<<".utf8)
    /// `>>`.
    static let close: [UInt8] = Array(">>".utf8)
    /// `<</`, the start of a section's closer.
    static let sectionCloser: [UInt8] = Array("<</".utf8)

    /// The first place at or after `start` where `pattern` (two or three bytes) starts in `text`.
    static func find(_ pattern: [UInt8], in text: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard let first = pattern.first, pattern.count <= text.endIndex - start else { return nil }
        var index = start
        let last = text.endIndex - pattern.count
        while index <= last {
            if text[index] == first {
                var offset = 1
                while offset < pattern.count, text[index + offset] == pattern[offset] { offset += 1 }
                if offset == pattern.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// Whether `text` starts with `prefix`.
    static func starts(_ text: ArraySlice<UInt8>, with prefix: [UInt8]) -> Bool {
        text.count >= prefix.count && zip(text, prefix).allSatisfy { $0 == $1 }
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmingSpaces(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = text.firstIndex(where: { !isSpace($0) }), let end = text.lastIndex(where: { !isSpace($0) })
        else { return text[text.endIndex...] }
        return text[start...end]
    }

    /// Whether `name` is a valid parameter reference: `[A-Za-z][A-Za-z0-9_.-]*` without `..`.
    static func isValidName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, isLetter(first) else { return false }
        var previous: UInt8 = 0
        for byte in name {
            let isDot = byte == UInt8(ascii: ".")
            guard
                isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || isDot
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-"), !(isDot && previous == byte)
            else { return false }
            previous = byte
        }
        return true
    }

    /// Whether `byte` is an ASCII letter.
    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// The text of UTF-8 `bytes`.
    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// `text` with each `\<<` turned into `<<`.
    static func unescaped(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let escape: [UInt8] = Array("\\<<".utf8)
        guard var found = find(escape, in: bytes[...], from: 0) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var position = 0
        while true {
            output += bytes[position..<found]
            output += open
            position = found + 3
            guard let next = find(escape, in: bytes[...], from: position) else { break }
            found = next
        }
        output += bytes[position...]
        return string(output[...])
    }
}
