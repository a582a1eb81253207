// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxYAML
import OrderedCollections
import Testing

/// The YAML writer (Yams' emitter with cibox's choice of scalar styles) and what libyaml decides itself.
@Suite struct YAMLWriterTests {
    /// The text of a one-key mapping `key: value`.
    static func written(_ value: YAMLValue) throws -> String {
        try YAMLWriter.write(.mapping(["key": value]))
    }

    /// The string `key` holds when the text is read back.
    static func readBack(_ text: String) -> String? {
        YAMLReader.parse(text, file: "w.yml").root?["key"]?.scalar?.text
    }

    @Test(
        arguments: [
            ("plain", .string("echo hello"), "key: echo hello\n"),
            ("a string YAML would read as a boolean", .string("yes"), "key: \"yes\"\n"),
            ("a string YAML would read as a number", .string("2.1"), "key: \"2.1\"\n"),
            ("a plain scalar", .plain("2.1"), "key: 2.1\n"),
            ("an integer", .integer(3), "key: 3\n"),
            ("a boolean", .boolean(true), "key: true\n"),
            ("an empty string", .string(""), "key: \"\"\n"),
            ("multi-line text", .string("a\n  b\n"), "key: |\n  a\n    b\n"),
            ("multi-line text without a final line break", .string("a\nb"), "key: |-\n  a\n  b\n"),
            (
                "a list under a key, not indented", .list([.string("a"), .mapping(["b": .integer(1)])]),
                "key:\n- a\n- b: 1\n"
            ),
            ("empty collections", .list([.list([]), .mapping([:])]), "key:\n- []\n- {}\n"),
        ] as [(String, YAMLValue, String)])
    func writesEachKindOfValue(_ name: String, _ value: YAMLValue, _ expected: String) throws {
        #expect(try Self.written(value) == expected, "\(name)")
    }

    /// Where libyaml overrides the style cibox asks for; the text still reads back as the same string.
    @Test(arguments: [
        ("tabs rule out a literal block", "if x; then\n\tcat <<EOF\nfi\n", #"key: "if x; then\n\tcat <<EOF\nfi\n""#),
        ("characters outside the BMP are escaped", "🧪 Run tests", #"key: "\U0001F9EA Run tests""#),
        ("a control character is escaped", "a\u{1B}[0mb", #"key: "a\e[0mb""#),
        ("a plain text that starts like a document end is quoted", "...and more", "key: '...and more'"),
        ("a block that starts with a line break has an indentation indicator", "\nabc\n", "key: |2\n\n  abc"),
    ])
    func libyamlHasTheLastWord(_ name: String, _ text: String, _ expected: String) throws {
        let written = try Self.written(.string(text))
        #expect(written == expected + "\n", "\(name)")
        #expect(Self.readBack(written) == text, "\(name)")
    }
}
