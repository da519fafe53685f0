public import ChurnModel
public import ChurnTransport
public import ChurnWire
public import NIOCore

/// The `churn.v1.Ingest` methods: activity events that keep the customer histories current.
/// A request's events are checked here, on the event loop, then handed to the scorer's writer
/// (the ``Sink``), which answers once they are committed to PostgreSQL; the call is answered then
/// (``RPCRouter/register(_:completingLater:)``).
public struct IngestHandlers: Sendable {
    /// What a sink recorded of one request's events.
    public struct Recorded: Sendable, Hashable {
        public var accepted: Int
        public var duplicates: Int

        public init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    /// Records checked events and completes once they are committed; fails with an ``RPCError``
    /// (`unavailable` when the database failed, `overloaded` when it is behind).
    public typealias Sink = @Sendable ([Activity], any EventLoop) -> EventLoopFuture<Recorded>

    /// Where events go; nil: this scorer takes none.
    public let sink: Sink?
    private let today: @Sendable () -> Int

    /// The most events one request may carry.
    public static let maxEventsPerRequest = 10_000

    /// - Parameter today: the current UTC day; an event dated after tomorrow is refused (tests
    ///   pass their own).
    public init(sink: Sink?, today: @escaping @Sendable () -> Int = ScoringDay.currentUTCDay) {
        self.sink = sink
        self.today = today
    }

    /// `Ingest` (and each frame of `IngestStream`): records the request's events and answers how
    /// many were new and how many had been ingested before (same event id). All or nothing: one
    /// bad event refuses the request, and a database failure records none of it.
    ///
    /// Fails with ``RPCError`` `invalidArgument` (field `events`, the message naming the event and
    /// what is wrong) for more than ``maxEventsPerRequest`` events, an unknown kind, an empty or
    /// overlong id or product group, a time outside 1970 to tomorrow, an amount that is not
    /// finite, or a KAG change of 0; `unavailable` when this scorer takes no events or the
    /// database failed; `overloaded` when the database is behind.
    public func ingest(
        _ request: IngestRequest,
        context: RPCContext,
        eventLoop: any EventLoop
    )
        -> EventLoopFuture<IngestResponse>
    {
        guard let sink = self.sink else {
            return eventLoop.makeFailedFuture(
                RPCError(
                    .unavailable,
                    "this scorer takes no events: it holds no customer histories from a database "
                        + "(start it with --customers-from-database)"
                )
            )
        }
        let activities: [Activity]
        do {
            activities = try self.activities(of: request)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        guard !activities.isEmpty else { return eventLoop.makeSucceededFuture(IngestResponse()) }
        return sink(activities, eventLoop).map { recorded in
            IngestResponse(accepted: UInt32(recorded.accepted), duplicates: UInt32(recorded.duplicates))
        }
    }

    /// The request's events, checked.
    func activities(of request: IngestRequest) throws(RPCError) -> [Activity] {
        guard request.events.count <= Self.maxEventsPerRequest else {
            throw RPCError(
                .invalidArgument,
                "the request has \(request.events.count) events, at most \(Self.maxEventsPerRequest)",
                field: "events"
            )
        }
        let latestDay = self.today() + 1
        var activities: [Activity] = []
        activities.reserveCapacity(request.events.count)
        for (index, event) in request.events.enumerated() {
            guard let kind = Activity.Kind(rawValue: Int(event.kind.rawValue)) else {
                throw RPCError(
                    .invalidArgument,
                    "events[\(index)]: kind \(event.kind.rawValue) is not an activity kind (1 to 8)",
                    field: "events"
                )
            }
            let activity = Activity(
                eventID: event.eventId,
                crm: event.crm,
                productGroup: event.productGroup,
                occurredAtMilliseconds: event.occurredAtMs,
                kind: kind,
                amount: event.amount,
                kagDelta: event.kagDelta
            )
            do {
                try activity.validate(latestDay: latestDay)
            } catch {
                throw RPCError(.invalidArgument, "events[\(index)]: \(error.message)", field: "events")
            }
            activities.append(activity)
        }
        return activities
    }
}
