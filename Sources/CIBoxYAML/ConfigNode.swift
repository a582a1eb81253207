// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// One node of a parsed config file: a scalar, a sequence or a mapping, with where it was written.
///
/// Aliases are already resolved and merge keys (`<<`) already applied, so the tree is what CircleCI sees.
/// An aliased node keeps the location of its anchored definition.
package struct ConfigNode: Sendable, Equatable {
    /// What the node holds.
    package enum Value: Sendable, Equatable {
        /// A scalar.
        case scalar(ConfigScalar)
        /// A sequence, in order.
        case sequence([ConfigNode])
        /// A mapping, in the order written (merged keys at the place of their `<<` key).
        case mapping([ConfigMappingEntry])
    }

    /// What the node holds.
    package var value: Value
    /// Where the node starts.
    package var location: SourceLocation
    /// Whether the node was written with a YAML anchor (`&name`); what it is, not part of its value.
    package var isAnchored = false

    /// Makes a node.
    package init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// Equal values written at the same place (whether either is anchored aside).
    package static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool {
        lhs.value == rhs.value && lhs.location == rhs.location
    }

    /// Whether the node is anchored, or a non-empty list or mapping whose every value only holds anchors: what a
    /// key that exists for its anchors (`defaults: &defaults …`, `aliases: {a: &a …}`) holds.
    package var onlyHoldsAnchors: Bool {
        if isAnchored { return true }
        switch value {
        case .scalar: return false
        case .sequence(let elements): return !elements.isEmpty && elements.allSatisfy(\.onlyHoldsAnchors)
        case .mapping(let entries): return !entries.isEmpty && entries.allSatisfy(\.value.onlyHoldsAnchors)
        }
    }

    /// The scalar, if this node is one.
    package var scalar: ConfigScalar? {
        if case .scalar(let scalar) = value { return scalar }
        return nil
    }

    /// The elements, if this node is a sequence.
    package var elements: [ConfigNode]? {
        if case .sequence(let elements) = value { return elements }
        return nil
    }

    /// The entries, if this node is a mapping.
    package var entries: [ConfigMappingEntry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    /// The entry for `key`, if this node is a mapping that has it. O(n) in the number of keys.
    package func entry(_ key: String) -> ConfigMappingEntry? {
        entries?.first { $0.key == key }
    }

    /// The value for `key`, if this node is a mapping that has it. O(n) in the number of keys.
    package subscript(key: String) -> ConfigNode? {
        entry(key)?.value
    }

    /// Whether this is a null scalar (`~`, `null`, or nothing).
    package var isNull: Bool { scalar?.isNull ?? false }

    /// A short name of the node's kind for messages: `a string`, `a list`, `a mapping`, `null`.
    package var kindDescription: String {
        switch value {
        case .scalar(let scalar): scalar.isNull ? "null" : "'\(scalar.text)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// A scalar as written: its text and whether it was quoted (so `"true"` stays a string).
///
/// Two scalars are equal when their text and quoting are; ``mayContainTemplate`` is what is known about the text,
/// not part of its value.
package struct ConfigScalar: Sendable, Equatable {
    /// The scalar's text, after YAML unescaping and folding.
    package var text: String {
        didSet { mayContainTemplate = Self.containsTemplateOpener(text) }
    }
    /// Whether it was written quoted or as a block (`|`, `>`), which makes it a string whatever its text.
    package var isQuoted: Bool
    /// Whether the text may still hold a `<<` to process (the opener of CircleCI's `<< … >>` templates).
    ///
    /// Found once when the scalar is made from text (the reader makes each aliased scalar once, so aliases share
    /// the answer); `false` when whoever made the scalar knows its text needs no more template processing, such as
    /// a template's output made of values only. Readers that look for templates skip the scalars where it is false.
    package private(set) var mayContainTemplate: Bool

    /// Makes a scalar, looking for `<<` in `text` once.
    package init(_ text: String, isQuoted: Bool = false) {
        self.text = text
        self.isQuoted = isQuoted
        self.mayContainTemplate = Self.containsTemplateOpener(text)
    }

    /// Makes a scalar whose text is known to hold (`true`) or not to hold (`false`) templates to process, without
    /// looking at it.
    ///
    /// - Parameters:
    ///   - text: The text.
    ///   - isQuoted: Whether it is a string whatever its text.
    ///   - mayContainTemplate: Whether a template processor must still look at the text.
    package init(_ text: String, isQuoted: Bool, mayContainTemplate: Bool) {
        self.text = text
        self.isQuoted = isQuoted
        self.mayContainTemplate = mayContainTemplate
    }

    /// Equal text and quoting.
    package static func == (lhs: ConfigScalar, rhs: ConfigScalar) -> Bool {
        lhs.text == rhs.text && lhs.isQuoted == rhs.isQuoted
    }

    /// Whether `text` contains `<<`; one pass over its UTF-8 bytes.
    ///
    /// - Parameter text: The text to look at.
    /// - Returns: Whether two `<` follow each other in it.
    package static func containsTemplateOpener(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "<"), previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// Whether this is a plain null: `~`, `null`, `Null`, `NULL` or empty.
    package var isNull: Bool {
        !isQuoted && ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// The boolean of a plain `true`/`false` (any of YAML's capitalisations); `nil` otherwise.
    package var strictBool: Bool? {
        guard !isQuoted else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// The boolean of a plain YAML 1.1 boolean (`true/yes/on`, `false/no/off`, YAML's capitalisations).
    package var bool: Bool? {
        if let strict = strictBool { return strict }
        guard !isQuoted else { return nil }
        switch text {
        case "yes", "Yes", "YES", "on", "On", "ON": return true
        case "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// The integer of a plain decimal integer such as `3` or `-1`; `nil` otherwise.
    package var int: Int? {
        isQuoted ? nil : Int(text)
    }
}

/// One `key: value` entry of a mapping.
package struct ConfigMappingEntry: Sendable, Equatable {
    /// The key's text.
    package var key: String
    /// Where the key is written.
    package var keyLocation: SourceLocation
    /// The value.
    package var value: ConfigNode

    /// Makes an entry.
    package init(key: String, keyLocation: SourceLocation, value: ConfigNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

extension ConfigNode {
    /// This node with every scalar value (mapping keys aside) replaced by `transform`'s result, in file order.
    ///
    /// - Parameter transform: Given a scalar node and its scalar, returns the node to put in its place.
    package func mappingScalars(_ transform: (ConfigNode, ConfigScalar) -> ConfigNode) -> ConfigNode {
        switch value {
        case .scalar(let scalar):
            return transform(self, scalar)
        case .sequence(let elements):
            return ConfigNode(.sequence(elements.map { $0.mappingScalars(transform) }), at: location)
        case .mapping(let entries):
            let mapped = entries.map { entry in
                var entry = entry
                entry.value = entry.value.mappingScalars(transform)
                return entry
            }
            return ConfigNode(.mapping(mapped), at: location)
        }
    }
}

extension ConfigNode {
    /// A scalar written quoted: a string whatever its text.
    ///
    /// - Parameters:
    ///   - text: The string.
    ///   - location: Where it stands for.
    package static func quoted(_ text: String, at location: SourceLocation) -> ConfigNode {
        ConfigNode(.scalar(ConfigScalar(text, isQuoted: true)), at: location)
    }

    /// A mapping with `fields` in key order, every key at `location`.
    ///
    /// - Parameters:
    ///   - fields: The values by key.
    ///   - location: Where the mapping and its keys stand for.
    package static func mapping(sortingKeysOf fields: [String: ConfigNode], at location: SourceLocation) -> ConfigNode {
        let entries = fields.keys.sorted().compactMap { key in
            fields[key].map { ConfigMappingEntry(key: key, keyLocation: location, value: $0) }
        }
        return ConfigNode(.mapping(entries), at: location)
    }
}
