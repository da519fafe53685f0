internal import ChurnTransport
internal import ChurnWire
internal import Foundation

/// Unary `Ingest` calls against a scorer that holds customer histories: each call records
/// `eventsPerCall` purchases, for the customers in turn, dated now, each with an event id of its
/// own; a call is answered once its events are committed to PostgreSQL. Answered rows are events.
public struct IngestTarget: LoadTarget {
    public let name: String
    private let connections: ConnectionSet
    private let customers: [CustomerKey]
    private let eventsPerCall: Int
    private let timeout: Duration

    /// - Precondition: `customers` is not empty and `eventsPerCall` is 1 or more.
    public init(
        name: String,
        connections: ConnectionSet,
        customers: [CustomerKey],
        eventsPerCall: Int,
        timeout: Duration = .seconds(5)
    ) {
        precondition(!customers.isEmpty && eventsPerCall > 0, "an ingest target needs customers and events")
        self.name = name
        self.connections = connections
        self.customers = customers
        self.eventsPerCall = eventsPerCall
        self.timeout = timeout
    }

    public func call(_ index: Int) async -> CallOutcome {
        // Unique across calls, runs and repetitions: a repeated id would be a duplicate, not work.
        let prefix = "bench-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))-"
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        var events: [ActivityEvent] = []
        events.reserveCapacity(self.eventsPerCall)
        for number in 0..<self.eventsPerCall {
            let customer = self.customers[(index * self.eventsPerCall + number) % self.customers.count]
            events.append(
                ActivityEvent(
                    eventId: prefix + String(number),
                    crm: customer.crm,
                    productGroup: customer.productGroup,
                    occurredAtMs: now,
                    kind: .purchase,
                    amount: Double(10 + (index + number) % 490)
                )
            )
        }
        do {
            let connection = try await self.connections.connection(for: index)
            let answer = try await connection.unary(
                IngestService.ingest,
                IngestRequest(events: events),
                timeout: self.timeout
            )
            guard Int(answer.accepted) == events.count else {
                return .failed(code: "NOT_APPLIED", message: "\(answer.accepted) of \(events.count) events accepted")
            }
            return .answered(rows: events.count)
        } catch {
            return .failed(error)
        }
    }

    public func close() async {
        await self.connections.close()
    }
}
