/// Greets people, politely.
public struct Greeting: Sendable {
    /// Who is greeted.
    public var name: String

    /// Makes a greeting for `name`.
    public init(name: String) {
        self.name = name
    }

    /// The greeting text; an empty name greets the world.
    public var text: String {
        name.isEmpty ? "Hello, world!" : "Hello, \(name)!"
    }
}
