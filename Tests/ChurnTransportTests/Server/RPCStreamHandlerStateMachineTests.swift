import ChurnTesting
import ChurnWire
import Testing

@testable import ChurnTransport

@Suite("RPC stream state machine", .onOwnEventLoops)
struct RPCStreamHandlerStateMachineTests {
    typealias Machine = RPCStreamHandler.StateMachine

    static let unaryRoute = RPCRoute(ScoringService.score.descriptor) { _, _, _, _, _ throws(RPCError) in }
    static let streamRoute = RPCRoute(ScoringService.scoreBatch.descriptor) { _, _, _, _, _ throws(RPCError) in }

    static func head(
        method: String? = "POST",
        path: String? = "/churn.v1.Scoring/Score",
        contentType: String? = "application/churn+wire",
        timeout: String? = nil
    ) -> Machine.RequestHead {
        Machine.RequestHead(method: method, path: path, contentType: contentType, timeout: timeout, acceptsLZ4: false)
    }

    @Test("the send time is passed on, and a malformed one is refused naming the header")
    func sentAt() {
        var machine = Machine(maxFramesPerStream: 10)
        var head = Self.head(timeout: "250")
        head.sentAt = "1795000000123"
        #expect(
            machine.receivedHeaders(head, route: Self.unaryRoute)
                == .serve(timeoutMilliseconds: 250, sentAtMilliseconds: 1_795_000_000_123)
        )
        for bad in ["", "-1", "12a", "12345678901234567"] {
            var machine = Machine(maxFramesPerStream: 10)
            head.sentAt = bad
            guard case .reject(let rejection) = machine.receivedHeaders(head, route: Self.unaryRoute) else {
                Issue.record("'\(bad)' was accepted")
                continue
            }
            #expect(rejection.httpStatus == 400)
            #expect(rejection.status == .invalidArgument)
            #expect(rejection.field == RPCProtocol.sentAtHeader)
        }
    }

    @Test("a well-formed unary call is served, answers its one frame and ignores what follows")
    func unaryCall() {
        var machine = Machine(maxFramesPerStream: 10)
        #expect(machine.receivedHeaders(Self.head(), route: Self.unaryRoute) == .serve(timeoutMilliseconds: nil))
        #expect(machine.isOpen)
        #expect(machine.receivedFrame(endFlag: true) == .process(needsHeaders: true, endsCall: true))
        #expect(machine.isDone)
        #expect(machine.receivedFrame(endFlag: true) == .ignore)
        #expect(machine.receivedEndOfRequest() == .none)
    }

    @Test("a unary request that ends without a frame is refused")
    func unaryWithoutFrame() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(), route: Self.unaryRoute)
        guard case .reject(let rejection) = machine.receivedEndOfRequest() else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.status == .invalidArgument)
        #expect(rejection.needsHeaders)
        #expect(machine.isDone)
    }

    @Test("a stream answers every frame, sends headers once, and finishes when the request ends")
    func streamingCall() {
        var machine = Machine(maxFramesPerStream: 10)
        #expect(
            machine.receivedHeaders(Self.head(path: "/churn.v1.Scoring/ScoreBatch"), route: Self.streamRoute)
                == .serve(timeoutMilliseconds: nil)
        )
        #expect(machine.receivedFrame(endFlag: false) == .process(needsHeaders: true, endsCall: false))
        #expect(machine.receivedFrame(endFlag: false) == .process(needsHeaders: false, endsCall: false))
        #expect(machine.receivedEndOfRequest() == .finish(needsHeaders: false))
        #expect(machine.isDone)
    }

    @Test("a stream whose last frame has the end flag is finished by that frame's answer")
    func streamEndFlag() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(), route: Self.streamRoute)
        #expect(machine.receivedFrame(endFlag: true) == .process(needsHeaders: true, endsCall: true))
        #expect(machine.receivedEndOfRequest() == .none)
    }

    @Test("an empty stream still gets response headers and a clean end")
    func emptyStream() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(), route: Self.streamRoute)
        #expect(machine.receivedEndOfRequest() == .finish(needsHeaders: true))
    }

    @Test("frames beyond the per-stream limit end the call with invalidArgument")
    func frameLimit() {
        var machine = Machine(maxFramesPerStream: 2)
        _ = machine.receivedHeaders(Self.head(), route: Self.streamRoute)
        _ = machine.receivedFrame(endFlag: false)
        _ = machine.receivedFrame(endFlag: false)
        guard case .reject(let rejection) = machine.receivedFrame(endFlag: false) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.status == .invalidArgument)
        #expect(!rejection.needsHeaders)
        #expect(rejection.httpStatus == 200)
    }

    @Test(
        "bad headers are refused with the HTTP status and wire status that say why",
        arguments: [
            (RPCStreamHandlerStateMachineTests.head(method: "GET"), true, 405, WireStatus.invalidArgument),
            (RPCStreamHandlerStateMachineTests.head(method: nil), true, 405, .invalidArgument),
            (RPCStreamHandlerStateMachineTests.head(path: "/nope"), false, 404, .notFound),
            (RPCStreamHandlerStateMachineTests.head(contentType: "application/grpc"), true, 415, .invalidArgument),
            (RPCStreamHandlerStateMachineTests.head(contentType: nil), true, 415, .invalidArgument),
            (
                RPCStreamHandlerStateMachineTests.head(contentType: "application/churn+wirex"), true, 415,
                .invalidArgument
            ),
            (RPCStreamHandlerStateMachineTests.head(timeout: "abc"), true, 400, .invalidArgument),
            (RPCStreamHandlerStateMachineTests.head(timeout: "123456789"), true, 400, .invalidArgument),
            (RPCStreamHandlerStateMachineTests.head(timeout: ""), true, 400, .invalidArgument),
        ]
    )
    func refusedHeaders(head: Machine.RequestHead, routed: Bool, httpStatus: Int, status: WireStatus) {
        var machine = Machine(maxFramesPerStream: 10)
        guard case .reject(let rejection) = machine.receivedHeaders(head, route: routed ? Self.unaryRoute : nil) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.httpStatus == httpStatus)
        #expect(rejection.status == status)
        #expect(rejection.needsHeaders)
        #expect(machine.isDone)
    }

    @Test("content-type parameters and timeouts of 1 to 8 digits are accepted")
    func acceptedHeaders() {
        var machine = Machine(maxFramesPerStream: 10)
        #expect(
            machine.receivedHeaders(
                Self.head(contentType: "application/churn+wire; v=1", timeout: "00000250"),
                route: Self.unaryRoute
            ) == .serve(timeoutMilliseconds: 250)
        )
    }

    @Test("a second header block (trailers) ends the call")
    func secondHeaders() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(), route: Self.streamRoute)
        guard case .reject = machine.receivedHeaders(Self.head(), route: Self.streamRoute) else {
            Issue.record("expected a rejection")
            return
        }
    }

    @Test("the deadline ends an open call once and never an answered one")
    func deadline() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(timeout: "5"), route: Self.streamRoute)
        _ = machine.receivedFrame(endFlag: false)
        let rejection = machine.deadlinePassed()
        #expect(rejection?.status == .deadlineExceeded)
        #expect(rejection?.needsHeaders == false)
        #expect(machine.deadlinePassed() == nil)

        var answered = Machine(maxFramesPerStream: 10)
        _ = answered.receivedHeaders(Self.head(), route: Self.unaryRoute)
        _ = answered.receivedFrame(endFlag: true)
        #expect(answered.deadlinePassed() == nil)
    }

    @Test("a failure before any answer keeps its status and field")
    func failure() {
        var machine = Machine(maxFramesPerStream: 10)
        _ = machine.receivedHeaders(Self.head(), route: Self.streamRoute)
        let rejection = machine.failed(RPCError(.invalidArgument, "bad", field: "features"))
        #expect(rejection?.field == "features")
        #expect(rejection?.needsHeaders == true)
        #expect(machine.failed(RPCError(.internal, "again")) == nil)
    }
}
