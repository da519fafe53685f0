/// The slot a CRM number belongs to: the unit the cluster shards by (`wire/README.md`, "Slots").
///
/// `slot = fmix64(crm) mod 4096`, where `fmix64` is MurmurHash3's 64-bit finalizer. The function is
/// part of the protocol: every client, coordinator and scorer computes the same slot.
public struct Slot: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number of slots.
    public static let count: UInt32 = 4096

    /// The slot number, 0 through 4095.
    public let rawValue: UInt16

    /// Makes a slot from its number.
    ///
    /// - Precondition: `rawValue` is below ``count``.
    public init(rawValue: UInt16) {
        precondition(UInt32(rawValue) < Slot.count, "slot \(rawValue) is out of range")
        self.rawValue = rawValue
    }

    /// The slot of a CRM number.
    @inlinable
    public init(crm: UInt64) {
        self.init(uncheckedRawValue: UInt16(truncatingIfNeeded: Slot.fmix64(crm) % UInt64(Slot.count)))
    }

    @usableFromInline
    init(uncheckedRawValue: UInt16) { self.rawValue = uncheckedRawValue }

    /// MurmurHash3's 64-bit finalizer: a bijection on u64 whose every output bit depends on every
    /// input bit.
    @inlinable
    public static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    public static func < (lhs: Slot, rhs: Slot) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "slot \(self.rawValue)" }
}
