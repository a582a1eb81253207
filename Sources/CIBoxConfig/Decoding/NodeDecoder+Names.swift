// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

extension NodeDecoder {
    /// Reports a name that holds a control character (NUL, a newline, an escape, …): names are shown in terminals,
    /// logs and reports, where such a character would hide or forge text.
    ///
    /// - Parameters:
    ///   - name: The name as written.
    ///   - kind: What it names, for the message: `job`, `workflow`, `step` or `parameter`.
    ///   - location: Where it is written.
    func checkName(_ name: String, kind: String, at location: SourceLocation) {
        guard let control = name.unicodeScalars.first(where: Self.isControl) else { return }
        error(
            location,
            "the \(kind) name '\(Self.escapingControls(name))' contains the control character "
                + "\(Self.escaped(control))",
            hint: "names are shown in terminals, logs and reports; use printable characters only")
    }

    /// Whether `scalar` is a C0 or C1 control character, or DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` with each control character written as `\xNN`.
    static func escapingControls(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) { result += escaped(scalar) } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    /// A control character as `\xNN`.
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\x" + (hex.count < 2 ? "0" + hex : hex)
    }
}
