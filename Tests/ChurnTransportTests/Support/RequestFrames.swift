import ChurnWire

/// `count` batch frames of `rows` rows each, CRMs numbered from 0, generated as iterated.
struct RequestFrames: AsyncSequence, Sendable {
    typealias Element = ScoreBatchRequest
    let count: Int
    let rows: Int

    func makeAsyncIterator() -> Iterator { Iterator(frames: self) }

    struct Iterator: AsyncIteratorProtocol {
        let frames: RequestFrames
        var index = 0

        mutating func next() async -> ScoreBatchRequest? {
            guard self.index < self.frames.count else { return nil }
            defer { self.index += 1 }
            let first = UInt64(self.index * self.frames.rows)
            return ScoreBatchRequest(
                featureCount: 1,
                crms: (0..<UInt64(self.frames.rows)).map { first + $0 },
                features: (0..<self.frames.rows).map { Double(self.index) + Double($0) / 1000 }
            )
        }
    }
}
