// cibox — CI in a box. MIT licence, see LICENSE.

import Logging

/// The daemon's log on standard error, with the control characters of each message and metadata value escaped
/// (``TerminalString/escaped(_:)``): a ref, project or job name cannot forge a log line or drive the terminal.
struct EscapingLogHandler: LogHandler {
    /// The handler that writes the escaped lines.
    private var inner: StreamLogHandler

    /// A handler writing `label`'s lines to standard error.
    init(label: String) {
        inner = StreamLogHandler.standardError(label: label)
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var escaped = event
        escaped.message = "\(TerminalString.escaped(event.message.description))"
        escaped.metadata = event.metadata?.mapValues(Self.escaped)
        inner.log(event: escaped)
    }

    /// `value` with the control characters of its text escaped.
    private static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(TerminalString.escaped(text))
        case .stringConvertible(let convertible): .string(TerminalString.escaped(convertible.description))
        case .dictionary(let dictionary): .dictionary(dictionary.mapValues(escaped))
        case .array(let array): .array(array.map(escaped))
        }
    }
}
