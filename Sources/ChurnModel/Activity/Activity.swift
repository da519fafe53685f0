/// One thing a customer did, as ingested (`wire/ingest.wire`): applied once to its month of the
/// customer's history, and never twice (``eventID`` is unique).
public struct Activity: Sendable, Hashable {
    /// What happened; the raw values are the wire's `ActivityKind` numbers.
    public enum Kind: Int, Sendable, Hashable, CaseIterable {
        /// A purchase: ``Activity/amount`` is net revenue.
        case purchase = 1
        /// A return: the amount is the returned value, taken off net revenue.
        case `return` = 2
        /// A discount granted: the amount is its value.
        case discount = 3
        case complaint = 4
        case callCenterContact = 5
        /// A satisfaction survey answer: the amount is the score.
        case satisfaction = 6
        /// KAG (cards, vehicles, overnight stays) in use changed by ``Activity/kagDelta``.
        case kagChange = 7
        /// The contract started on the event's day.
        case contractStart = 8

        /// Whether the event makes its day an active day: the customer buying (purchases and
        /// returns), as in the stored histories, where active days are days with transactions.
        /// Complaints, calls, surveys, discounts, KAG changes and contract starts do not: a
        /// customer who has stopped buying is inactive however much it complains, and churn is
        /// "no activity for `inactivityDays`".
        public var countsAsActivity: Bool { self == .purchase || self == .return }
    }

    /// Unique per event: a replayed event is acknowledged and not applied twice.
    public var eventID: String
    public var crm: UInt64
    public var productGroup: String
    /// Milliseconds since 1970-01-01 UTC.
    public var occurredAtMilliseconds: Int64
    public var kind: Kind
    public var amount: Double
    public var kagDelta: Int32

    /// The longest event id and product group taken, in UTF-8 bytes.
    public static let maxTextBytes = 200

    public init(
        eventID: String,
        crm: UInt64,
        productGroup: String,
        occurredAtMilliseconds: Int64,
        kind: Kind,
        amount: Double = 0,
        kagDelta: Int32 = 0
    ) {
        self.eventID = eventID
        self.crm = crm
        self.productGroup = productGroup
        self.occurredAtMilliseconds = occurredAtMilliseconds
        self.kind = kind
        self.amount = amount
        self.kagDelta = kagDelta
    }

    /// The UTC day it happened (days since 1970-01-01).
    public var day: Int { Int(self.occurredAtMilliseconds.floorDivided(by: 86_400_000)) }

    /// The last millisecond of year 9999: later times are not dates this system keeps.
    static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// Checks what any event must satisfy.
    ///
    /// - Parameter latestDay: the last day an event may have happened on (a clock's today plus
    ///   a margin); nil takes any day up to year 9999.
    /// - Throws: ``ModelError/Code/invalidHistory`` naming the first field that is wrong: an
    ///   empty or overlong event id or product group (or one with control characters), a time before 1970 or after `latestDay`,
    ///   an amount that is not finite, or a KAG change of 0.
    public func validate(latestDay: Int? = nil) throws(ModelError) {
        guard !self.eventID.isEmpty, self.eventID.utf8.count <= Self.maxTextBytes else {
            throw ModelError(.invalidHistory, "event_id must be 1 to \(Self.maxTextBytes) bytes")
        }
        guard !self.productGroup.isEmpty, self.productGroup.utf8.count <= Self.maxTextBytes,
            !self.productGroup.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ModelError(
                .invalidHistory,
                "event \(self.eventID): product_group must be 1 to \(Self.maxTextBytes) bytes, without control characters"
            )
        }
        guard (0...Self.latestMilliseconds).contains(self.occurredAtMilliseconds) else {
            throw ModelError(.invalidHistory, "event \(self.eventID): occurred_at_ms must lie in 1970 to 9999")
        }
        if let latestDay, self.day > latestDay {
            throw ModelError(
                .invalidHistory,
                "event \(self.eventID): occurred_at_ms is on \(CivilDate(days: self.day).text), after "
                    + "\(CivilDate(days: latestDay).text): events from the future are refused"
            )
        }
        guard self.amount.isFinite else {
            throw ModelError(.invalidHistory, "event \(self.eventID): amount must be a finite number")
        }
        if self.kind == .kagChange, self.kagDelta == 0 {
            throw ModelError(.invalidHistory, "event \(self.eventID): a KAG change needs a nonzero kag_delta")
        }
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = self.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
