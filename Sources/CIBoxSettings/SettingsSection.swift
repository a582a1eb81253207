// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// One section of `settings.yml`: the top-level keys it owns and how it reads them into ``Settings``.
///
/// Adding a section is one file with a type that conforms to this protocol, listed in
/// ``SettingsLoader/sections``. Sections read their own keys only; what spans sections goes in
/// ``check(_:settings:_:)``, which runs once every key is read. Problems go to the decoder's sink; a section never
/// stops the others.
protocol SettingsSection: Sendable {
    /// The top-level keys this section reads.
    static var keys: Set<String> { get }

    /// Reads one of ``keys`` into `settings`.
    ///
    /// - Parameters:
    ///   - entry: The top-level entry, with its key's and value's locations.
    ///   - settings: The settings read so far.
    ///   - decoder: Where problems are reported.
    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder)

    /// Checks what depends on other sections, once every top-level entry is read; nothing by default.
    ///
    /// - Parameters:
    ///   - root: Every top-level entry, in file order.
    ///   - settings: The settings as read.
    ///   - decoder: Where problems are reported.
    static func check(_ root: [ConfigMappingEntry], settings: Settings, _ decoder: NodeDecoder)
}

extension SettingsSection {
    /// Nothing to check across sections.
    static func check(_ root: [ConfigMappingEntry], settings: Settings, _ decoder: NodeDecoder) {}
}
