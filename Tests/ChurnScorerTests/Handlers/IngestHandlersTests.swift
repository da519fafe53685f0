import ChurnModel
import ChurnScorer
import ChurnTransport
import ChurnWire
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

@Suite("Ingest handlers")
struct IngestHandlersTests {
    static let context = RPCContext(method: IngestService.ingest.descriptor, deadline: nil, limits: .defaults)
    static let today = CivilDate.days(year: 2026, month: 11, day: 24)

    static func event(_ id: String, kind: ActivityKind = .purchase, day: Int = today) -> ActivityEvent {
        ActivityEvent(
            eventId: id,
            crm: 7,
            productGroup: "fuel_cards",
            occurredAtMs: Int64(day) * 86_400_000,
            kind: kind,
            amount: 12.5
        )
    }

    /// Handlers whose sink records what it is given and answers every event as new.
    static func handlers() -> (IngestHandlers, NIOLockedValueBox<[[Activity]]>) {
        let given = NIOLockedValueBox<[[Activity]]>([])
        let handlers = IngestHandlers(
            sink: { events, loop in
                given.withLockedValue { $0.append(events) }
                return loop.makeSucceededFuture(.init(accepted: events.count, duplicates: 0))
            },
            today: { Self.today }
        )
        return (handlers, given)
    }

    @Test("checked events go to the sink as activities; its counts are the answer")
    func passesEvents() throws {
        let (handlers, given) = Self.handlers()
        let loop = EmbeddedEventLoop()
        let answer = try handlers.ingest(
            IngestRequest(events: [Self.event("a"), Self.event("b", kind: .complaint, day: Self.today + 1)]),
            context: Self.context,
            eventLoop: loop
        ).wait()
        #expect(answer == IngestResponse(accepted: 2, duplicates: 0))
        let activities = given.withLockedValue { $0 }
        #expect(activities.count == 1)
        #expect(activities.first?.map(\.eventID) == ["a", "b"])
        #expect(activities.first?.last?.kind == .complaint)
        #expect(activities.first?.first?.amount == 12.5)
        // No events: answered without the sink.
        #expect(try handlers.ingest(IngestRequest(), context: Self.context, eventLoop: loop).wait() == IngestResponse())
        #expect(given.withLockedValue { $0.count } == 1)
    }

    @Test("one bad event refuses the whole request, naming it; nothing reaches the sink")
    func refusesBadEvents() throws {
        let (handlers, given) = Self.handlers()
        let loop = EmbeddedEventLoop()
        var empty = Self.event("")
        empty.eventId = ""
        for (bad, words) in [
            (Self.event("x", kind: .unspecified), "events[1]: kind 0 is not an activity kind"),
            (Self.event("x", kind: ActivityKind(rawValue: 99)), "events[1]: kind 99"),
            (empty, "events[1]: event_id must be 1 to 200 bytes"),
            (Self.event("x", day: Self.today + 2), "events from the future are refused"),
        ] {
            do {
                _ = try handlers.ingest(
                    IngestRequest(events: [Self.event("ok"), bad]),
                    context: Self.context,
                    eventLoop: loop
                ).wait()
                Issue.record("accepted \(bad)")
            } catch let error as RPCError {
                #expect(error.status == .invalidArgument)
                #expect(error.field == "events")
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
        let tooMany = IngestRequest(
            events: Array(repeating: Self.event("m"), count: IngestHandlers.maxEventsPerRequest + 1)
        )
        #expect(throws: RPCError.self) {
            try handlers.ingest(tooMany, context: Self.context, eventLoop: loop).wait()
        }
        #expect(given.withLockedValue { $0.isEmpty })
    }

    @Test("a scorer without a writer answers UNAVAILABLE, saying how to start one that takes events")
    func noSink() throws {
        let handlers = IngestHandlers(sink: nil)
        do {
            _ = try handlers.ingest(
                IngestRequest(events: [Self.event("a")]),
                context: Self.context,
                eventLoop: EmbeddedEventLoop()
            ).wait()
            Issue.record("accepted without a writer")
        } catch let error as RPCError {
            #expect(error.status == .unavailable)
            #expect(error.message.contains("--customers-from-database"))
        }
    }
}
