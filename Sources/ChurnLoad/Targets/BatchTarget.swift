internal import ChurnTransport
internal import ChurnWire
public import NIOCore

/// Streamed `ScoreBatch` calls: each call opens a stream, sends `framesPerCall` columnar frames
/// of `rowsPerFrame` rows and reads every answer. Its latency is the whole stream's.
///
/// Calls of one frame run on the connections' event loops (``EventLoopLoadTarget``), with no
/// task and no thread hop per call: the frame goes out marked as the last, and its answer ends
/// the call. Calls of several frames run one task each.
public struct BatchTarget: EventLoopLoadTarget {
    public let name: String
    private let connections: ConnectionSet
    private let frames: [ScoreBatchRequest]
    private let timeout: Duration

    /// Makes a target whose frames are cut from `rows` (in turn, so every frame differs).
    public init(
        name: String,
        connections: ConnectionSet,
        rows: [[Double]],
        schemaHash: UInt64,
        rowsPerFrame: Int,
        framesPerCall: Int,
        timeout: Duration = .seconds(30)
    ) {
        precondition(!rows.isEmpty && rowsPerFrame > 0 && framesPerCall > 0, "a batch needs rows")
        self.name = name
        self.connections = connections
        self.timeout = timeout
        let featureCount = rows[0].count
        self.frames = (0..<framesPerCall).map { frame in
            var features: [Double] = []
            features.reserveCapacity(rowsPerFrame * featureCount)
            var crms: [UInt64] = []
            crms.reserveCapacity(rowsPerFrame)
            for row in 0..<rowsPerFrame {
                let index = frame * rowsPerFrame + row
                features += rows[index % rows.count]
                crms.append(UInt64(2_000_000 + index))
            }
            return ScoreBatchRequest(
                featureSchemaHash: schemaHash,
                featureCount: UInt32(featureCount),
                crms: crms,
                productGroup: "fuel_cards",
                features: features
            )
        }
    }

    public func call(_ index: Int) async -> CallOutcome {
        do {
            let connection = try await self.connections.connection(for: index)
            let rows = try await connection.bidirectional(
                ScoringService.scoreBatch,
                requests: self.frames.async,
                timeout: self.timeout
            ) { answers in
                var rows = 0
                for try await answer in answers { rows += answer.crms.count }
                return rows
            }
            return .answered(rows: rows)
        } catch let error as RPCError {
            return .failed(error)
        } catch {
            return .failed(code: "UNAVAILABLE", message: "\(error)")
        }
    }

    public var eventLoops: [any EventLoop] { self.connections.eventLoops }

    public func start(_ index: Int, completion: @escaping @Sendable (CallOutcome) -> Void) {
        guard self.frames.count == 1, let connection = self.connections.openConnection(for: index) else {
            // Several frames, or the connection is (re)opening: the async path.
            Task { completion(await self.call(index)) }
            return
        }
        connection.startSingleFrame(ScoringService.scoreBatch, self.frames[0], timeout: self.timeout).whenComplete {
            result in
            switch result {
            case .success(let answer):
                completion(.answered(rows: answer.crms.count))
            case .failure(let error as RPCError):
                completion(.failed(error))
            case .failure(let error):
                completion(.failed(code: "UNAVAILABLE", message: "\(error)"))
            }
        }
    }

    public func close() async {
        await self.connections.close()
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (the batch frames a stream sends).
    fileprivate var async: ArrayAsyncSequence<Element> { ArrayAsyncSequence(elements: self) }
}

/// An array as an `AsyncSequence`.
struct ArrayAsyncSequence<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]

    func makeAsyncIterator() -> Iterator { Iterator(elements: self.elements) }

    struct Iterator: AsyncIteratorProtocol {
        let elements: [Element]
        var next = 0

        mutating func next() async -> Element? {
            guard self.next < self.elements.count else { return nil }
            defer { self.next += 1 }
            return self.elements[self.next]
        }
    }
}
