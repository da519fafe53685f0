/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64): the same seed gives
/// the same bits on every platform and Swift version (and, with the same C maths library, the same
/// normal and Poisson draws), so generated data is reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9e37_79b9_7f4a_7c15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        self.state = (next(), next(), next(), next())
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotate(self.state.1 &* 5, 7) &* 9
        let shifted = self.state.1 << 17
        self.state.2 ^= self.state.0
        self.state.3 ^= self.state.1
        self.state.1 ^= self.state.2
        self.state.0 ^= self.state.3
        self.state.2 ^= shifted
        self.state.3 = Self.rotate(self.state.3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(self.next() >> 11) * 0x1.0p-53 }

    /// A standard normal variate (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(self.uniform(), 0x1.0p-60)
        let u2 = self.uniform()
        return (-2 * Self.log(u1)).squareRoot() * Self.cosine(2 * Double.pi * u2)
    }

    /// A Poisson variate with mean `lambda` (Knuth's method below 30, a rounded normal above).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda >= 30 {
            return max(0, Int((lambda + lambda.squareRoot() * self.normal()).rounded()))
        }
        let limit = Self.exponential(-lambda)
        var product = self.uniform()
        var count = 0
        while product > limit {
            count += 1
            product *= self.uniform()
        }
        return count
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { self.uniform() < p }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
