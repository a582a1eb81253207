// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// What stands for the elements of an orb that could not be loaded: a step that fails with the orb's message when it
/// runs (compiled to `StepAction.unsupported(key:message:isFatal: true)`).
enum MissingOrb {
    /// The hint of a missing orb's error.
    static let hint = "or pass --allow-missing-orbs to compile the rest; what uses the orb then fails when run"

    /// The internal step key of ``step(_:message:at:)``.
    static let stepKey = "cibox/missing-orb"

    /// The step that stands for an element of a missing orb: it fails with the orb's message when run.
    static func step(_ name: String, message: String, at location: SourceLocation) -> ConfigNode {
        let fields: [ConfigMappingEntry] = [
            ConfigMappingEntry(
                key: "reference", keyLocation: location, value: ConfigNode(.scalar(ConfigScalar(name)), at: location)),
            ConfigMappingEntry(
                key: "message", keyLocation: location, value: ConfigNode(.scalar(ConfigScalar(message)), at: location)),
        ]
        return ConfigNode(
            .mapping([
                ConfigMappingEntry(
                    key: stepKey, keyLocation: location, value: ConfigNode(.mapping(fields), at: location))
            ]), at: location)
    }
}
