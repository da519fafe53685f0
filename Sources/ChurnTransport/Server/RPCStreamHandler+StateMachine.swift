internal import ChurnWire
internal import NIOCore

extension RPCStreamHandler {
    /// The life of one call on one HTTP/2 stream, as pure logic: each event in returns what the
    /// handler must do next. No I/O, no clock of its own: tested event by event.
    struct StateMachine {
        /// What the request's HEADERS said, parsed.
        struct RequestHead {
            var method: String?
            var path: String?
            var contentType: String?
            var timeout: String?
            var acceptsLZ4: Bool
            /// `churn-sent-at-ms`: when the caller sent the call, on its clock.
            var sentAt: String? = nil
        }

        /// An answer that ends the call with an error.
        struct Rejection: Equatable {
            /// The HTTP `:status` to send when response headers are not out yet.
            var httpStatus: Int
            /// Whether response HEADERS must still be written before the error frame.
            var needsHeaders: Bool
            var status: WireStatus
            var message: String
            var field: String = ""
            /// With `overloaded`: the retry hint.
            var retryAfterMs: UInt32?

            var error: RPCError {
                var error = RPCError(self.status, self.message, field: self.field)
                error.retryAfterMs = self.retryAfterMs
                return error
            }
        }

        enum HeadersAction: Equatable {
            /// Serve the call; `timeout` is the caller's, in milliseconds, and `sentAt` when it
            /// sent the call (Unix milliseconds on its clock).
            case serve(timeoutMilliseconds: Int64?, sentAtMilliseconds: Int64? = nil)
            case reject(Rejection)
        }

        enum FrameAction: Equatable {
            /// Run the handler on the frame; `needsHeaders` when response HEADERS are not out yet;
            /// `endsCall` when its answer is the last (unary, or the request's end flag).
            case process(needsHeaders: Bool, endsCall: Bool)
            case reject(Rejection)
            /// The call is already answered: drop the frame.
            case ignore
        }

        enum EndAction: Equatable {
            /// End the response stream with no further frame (HTTP/2 END_STREAM on empty DATA).
            case finish(needsHeaders: Bool)
            case reject(Rejection)
            case none
        }

        private enum State {
            case awaitingHeaders
            case open(isUnary: Bool, framesReceived: Int, headersSent: Bool)
            case done
        }

        private var state: State = .awaitingHeaders
        private let maxFrames: Int

        init(maxFramesPerStream: Int) {
            self.maxFrames = maxFramesPerStream
        }

        /// Whether the call is answered (or rejected) and nothing more will be written.
        var isDone: Bool {
            if case .done = self.state { return true }
            return false
        }

        /// Whether a call is being served (its deadline, if any, matters).
        var isOpen: Bool {
            if case .open = self.state { return true }
            return false
        }

        /// The request's HEADERS arrived; `route` is what the router found for its path.
        mutating func receivedHeaders(_ head: RequestHead, route: RPCRoute?) -> HeadersAction {
            guard case .awaitingHeaders = self.state else {
                // Trailers or a second header block: ChurnGuard calls send neither.
                return .reject(self.fail(400, .invalidArgument, "unexpected second header block"))
            }
            guard head.method == "POST" else {
                return .reject(self.fail(405, .invalidArgument, "RPCs use POST, not \(head.method ?? "no method")"))
            }
            guard let route else {
                let path = head.path.map { String($0.prefix(100)) } ?? "no path"
                return .reject(self.fail(404, .notFound, "no method at \(path); see `churnguard wire list`"))
            }
            guard let type = head.contentType, Self.isWireContentType(type) else {
                return .reject(
                    self.fail(
                        415,
                        .invalidArgument,
                        "content-type must be \(RPCProtocol.contentType), not \(head.contentType ?? "none")"
                    )
                )
            }
            let timeout = self.digitsHeader(head.timeout, RPCProtocol.timeoutHeader, maxCount: 8, unit: "milliseconds")
            if let rejection = timeout.rejection { return .reject(rejection) }
            let sentAt = self.digitsHeader(
                head.sentAt,
                RPCProtocol.sentAtHeader,
                maxCount: 16,
                unit: "Unix milliseconds"
            )
            if let rejection = sentAt.rejection { return .reject(rejection) }
            self.state = .open(isUnary: route.isUnary, framesReceived: 0, headersSent: false)
            return .serve(timeoutMilliseconds: timeout.value, sentAtMilliseconds: sentAt.value)
        }

        /// A complete wire frame arrived; `endFlag` is its end flag.
        mutating func receivedFrame(endFlag: Bool) -> FrameAction {
            switch self.state {
            case .awaitingHeaders:
                return .reject(self.fail(400, .invalidArgument, "data before headers"))
            case .done:
                return .ignore
            case .open(let isUnary, let framesReceived, let headersSent):
                guard framesReceived < self.maxFrames else {
                    return .reject(
                        self.fail(
                            200,
                            .invalidArgument,
                            "the call sent more than \(self.maxFrames) frames",
                            headersSent
                        )
                    )
                }
                if isUnary {
                    self.state = .done
                    return .process(needsHeaders: true, endsCall: true)
                }
                self.state =
                    endFlag ? .done : .open(isUnary: false, framesReceived: framesReceived + 1, headersSent: true)
                return .process(needsHeaders: !headersSent, endsCall: endFlag)
            }
        }

        /// The request stream ended (HTTP/2 END_STREAM).
        mutating func receivedEndOfRequest() -> EndAction {
            switch self.state {
            case .awaitingHeaders:
                return .reject(self.fail(400, .invalidArgument, "the request ended before its headers"))
            case .done:
                return .none
            case .open(let isUnary, _, let headersSent):
                if isUnary {
                    return .reject(self.fail(200, .invalidArgument, "the request ended without a frame", headersSent))
                }
                self.state = .done
                return .finish(needsHeaders: !headersSent)
            }
        }

        /// The bytes could not be cut into frames, or the handler failed: the call ends with `error`.
        mutating func failed(_ error: RPCError) -> Rejection? {
            switch self.state {
            case .done:
                return nil
            case .awaitingHeaders:
                var rejection = self.fail(400, error.status, error.message)
                rejection.field = error.field
                return rejection
            case .open(_, _, let headersSent):
                var rejection = self.fail(200, error.status, error.message, headersSent)
                rejection.field = error.field
                rejection.retryAfterMs = error.retryAfterMs
                return rejection
            }
        }

        /// The caller's deadline passed.
        mutating func deadlinePassed() -> Rejection? {
            guard case .open(_, _, let headersSent) = self.state else { return nil }
            return self.fail(200, .deadlineExceeded, "the call's deadline passed before it completed", headersSent)
        }

        private mutating func fail(
            _ httpStatus: Int,
            _ status: WireStatus,
            _ message: String,
            _ headersSent: Bool = false
        ) -> Rejection {
            self.state = .done
            return Rejection(httpStatus: httpStatus, needsHeaders: !headersSent, status: status, message: message)
        }

        /// The value of an optional header of 1 to `maxCount` decimal digits, or the 400 that
        /// names it when it is malformed.
        private mutating func digitsHeader(
            _ text: String?,
            _ name: String,
            maxCount: Int,
            unit: String
        ) -> (value: Int64?, rejection: Rejection?) {
            guard let text else { return (nil, nil) }
            guard let value = Self.parseDigits(text, maxCount: maxCount) else {
                var rejection = self.fail(
                    400,
                    .invalidArgument,
                    "\(name) must be 1 to \(maxCount) decimal digits (\(unit))"
                )
                rejection.field = name
                return (nil, rejection)
            }
            return (value, nil)
        }

        /// `application/churn+wire`, optionally followed by parameters (`; …`).
        static func isWireContentType(_ value: String) -> Bool {
            guard value.hasPrefix(RPCProtocol.contentType) else { return false }
            let rest = value.utf8.dropFirst(RPCProtocol.contentType.utf8.count)
            return rest.isEmpty || rest.first == UInt8(ascii: ";")
        }

        /// 1 to `maxCount` (at most 18) ASCII digits.
        static func parseDigits(_ text: String, maxCount: Int) -> Int64? {
            let bytes = text.utf8
            guard (1...maxCount).contains(bytes.count) else { return nil }
            var value: Int64 = 0
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
    }
}
