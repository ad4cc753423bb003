/// SplitMix64: every run of a target is a function of its seed, so a seed
/// that found a failure finds it again.
public struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<count`.
    public mutating func below(_ count: Int) -> Int { count <= 1 ? 0 : Int.random(in: 0..<count, using: &self) }

    /// True one time in `odds`.
    public mutating func oneIn(_ odds: Int) -> Bool { below(odds) == 0 }

    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// A size that is usually small and sometimes large, as bugs hide at both ends.
    public mutating func size(upTo limit: Int) -> Int {
        switch below(8) {
        case 0..<5: return below(min(limit, 8) + 1)
        case 5, 6: return below(min(limit, 64) + 1)
        default: return below(limit + 1)
        }
    }
}
