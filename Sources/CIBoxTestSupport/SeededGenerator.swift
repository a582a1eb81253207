// cibox — CI in a box. MIT licence, see LICENSE.

/// A small, seedable random number generator (SplitMix64): the whole sequence follows from the seed, so that a
/// failing fuzz case or crash schedule can be replayed from the seed its test printed.
package struct SeededGenerator: RandomNumberGenerator {
    /// The generator's state; the seed at first.
    package var state: UInt64

    /// A generator starting from `state` (the seed).
    package init(state: UInt64) {
        self.state = state
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
