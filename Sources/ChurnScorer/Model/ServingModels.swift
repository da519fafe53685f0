/// Everything a scorer serves at one moment: production, and optionally a canary that scores a
/// stable share of CRM numbers and a shadow that scores beside production. Swapped whole, so a
/// call sees one consistent set.
public struct ServingModels: Sendable {
    public var production: ServingModel
    public var canary: ServingModel?
    /// The canary's share of CRM numbers in basis points (0…10,000).
    public var canaryBasisPoints: Int
    public var shadow: ServingModel?

    public init(
        production: ServingModel,
        canary: ServingModel? = nil,
        canaryBasisPoints: Int = 0,
        shadow: ServingModel? = nil
    ) {
        self.production = production
        self.canary = canary
        self.canaryBasisPoints = max(0, min(canaryBasisPoints, 10_000))
        self.shadow = shadow
    }

    /// The model that scores `crm`: the canary for CRM numbers whose bucket is below its share,
    /// production for the rest. A customer always lands in the same bucket.
    @inline(__always)
    public func model(forCRM crm: UInt64) -> ServingModel {
        if let canary = self.canary, Self.bucket(of: crm) < self.canaryBasisPoints { return canary }
        return self.production
    }

    /// A CRM number's bucket, 0…9,999: SplitMix64's finaliser (every input bit reaches every
    /// output bit, so consecutive CRM numbers spread evenly), reduced modulo 10,000.
    @inline(__always)
    public static func bucket(of crm: UInt64) -> Int {
        var z = crm &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Int(z % 10_000)
    }
}
