import ChurnTesting
import ChurnWire
import NIOCore
import Testing

@Suite("Frame accumulator: frames from any split of a stream, partial frames in memory of their own", .onComputeThreads)
struct FrameAccumulatorTests {
    /// Three frames back to back: a unary request, an empty payload and a compressed batch.
    private static func stream() -> (bytes: ByteBuffer, frames: [Frame]) {
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        var bytes = ByteBuffer()
        encoder.encode(Fixtures.scoreRequest(), into: &bytes)
        encoder.encode(Fixtures.scoreRequest(featureCount: 0), flags: .error, into: &bytes)
        encoder.encode(Fixtures.batchRequest(rows: 3_000), flags: .end, into: &bytes)
        var whole = bytes
        var frames: [Frame] = []
        while let frame = try! FrameParser().nextFrame(from: &whole) { frames.append(frame) }
        precondition(frames.count == 3 && whole.readableBytes == 0)
        return (bytes, frames)
    }

    /// Feeds `bytes` in pieces of the given sizes (the last piece takes the rest), taking every
    /// frame that completes after each piece.
    private static func frames(of bytes: ByteBuffer, pieces: [Int]) throws -> (frames: [Frame], held: Int) {
        var accumulator = FrameAccumulator(parser: FrameParser())
        var rest = bytes
        var frames: [Frame] = []
        var sizes = pieces.makeIterator()
        while rest.readableBytes > 0 {
            let size = min(max(sizes.next() ?? rest.readableBytes, 1), rest.readableBytes)
            accumulator.append(rest.readSlice(length: size)!)
            while let frame = try accumulator.nextFrame() { frames.append(frame) }
        }
        return (frames, accumulator.heldBytes)
    }

    @Test("the frames cut from a stream split anywhere are the frames sent")
    func anySplit() throws {
        let (bytes, expected) = Self.stream()
        var rng = SplitMix64(seed: 11)
        let splits: [[Int]] = [
            [bytes.readableBytes],  // all at once
            Array(repeating: 1, count: bytes.readableBytes),  // byte by byte
            Array(repeating: 16_384, count: 8),  // HTTP/2's largest default DATA frame
            (0..<200).map { _ in Int.random(in: 1...700, using: &rng) },
        ]
        for pieces in splits {
            let (frames, held) = try Self.frames(of: bytes, pieces: pieces)
            #expect(frames == expected)
            #expect(held == 0)
        }
    }

    @Test("a frame begun and left waiting does not keep alive the buffer its bytes came in")
    func partialFrameOwnsItsMemory() throws {
        let (bytes, expected) = Self.stream()
        let firstTwo = expected[0].payload.readableBytes + expected[1].payload.readableBytes + 2 * Frame.headerSize
        let lastSize = bytes.readableBytes - firstTwo
        // What a connection's read brings in: a large buffer; the stream's DATA is a slice of it.
        var read = ByteBufferAllocator().buffer(capacity: 1 << 20)
        read.writeImmutableBuffer(bytes.getSlice(at: bytes.readerIndex, length: firstTwo + 100)!)
        read.writeRepeatingByte(0, count: 4_000)  // another stream's bytes
        var accumulator = FrameAccumulator(parser: FrameParser())
        accumulator.append(read.getSlice(at: 0, length: firstTwo + 100)!)
        #expect(accumulator.heldMemory >= 1 << 20)  // held as it came, until frames are cut

        #expect(try accumulator.nextFrame() == expected[0])
        #expect(try accumulator.nextFrame() == expected[1])
        #expect(try accumulator.nextFrame() == nil)
        #expect(accumulator.heldBytes == 100)
        #expect(accumulator.heldMemory >= lastSize)
        #expect(accumulator.heldMemory < 1 << 18)

        // The rest of the frame fills the memory reserved for it, without growing it.
        let reserved = accumulator.heldMemory
        var rest = bytes.getSlice(at: bytes.readerIndex + firstTwo + 100, length: lastSize - 100)!
        while rest.readableBytes > 0 {
            accumulator.append(rest.readSlice(length: min(16_384, rest.readableBytes))!)
            #expect(accumulator.heldMemory == reserved || accumulator.heldBytes == 0)
            if rest.readableBytes > 0 { #expect(try accumulator.nextFrame() == nil) }
        }
        #expect(try accumulator.nextFrame() == expected[2])
        #expect(accumulator.heldBytes == 0 && accumulator.heldMemory == 0)
    }

    @Test("a long stream of frames that never end where its pieces do holds about one frame, not all it sent")
    func longStreamStaysBounded() throws {
        var encoder = FrameEncoder(peerAcceptsCompression: false)
        var stream = ByteBuffer()
        for _ in 0..<200 { encoder.encode(Fixtures.batchRequest(rows: 500), into: &stream) }
        let frameSize = stream.readableBytes / 200
        #expect(frameSize % 7_001 != 0)
        var accumulator = FrameAccumulator(parser: FrameParser())
        var frames = 0
        var largest = 0
        // Pieces of 7,001 bytes: a frame ends where a piece does only once in many frames.
        while stream.readableBytes > 0 {
            accumulator.append(stream.readSlice(length: min(7_001, stream.readableBytes))!)
            while try accumulator.nextFrame() != nil { frames += 1 }
            largest = max(largest, accumulator.heldMemory)
        }
        #expect(frames == 200)
        // Without the bound the memory held grows with everything sent (200 frames).
        #expect(largest <= 2 * frameSize)
    }

    @Test("a frame's header that declares more than the limit is refused before anything is reserved")
    func oversizedHeader() {
        var accumulator = FrameAccumulator(parser: FrameParser())
        accumulator.append(ByteBuffer(bytes: [0x00, 0x40, 0x00, 0x00]))  // part of a 1 GiB claim
        #expect(throws: Never.self) { try accumulator.nextFrame() }
        accumulator.append(ByteBuffer(bytes: [0x00, 0x01]))
        #expect(accumulator.heldMemory < 1 << 10)
        do {
            _ = try accumulator.nextFrame()
            Issue.record("a 1 GiB frame was not refused")
        } catch {
            #expect(error.code == .frameTooLarge)
        }
        #expect(accumulator.heldMemory < 1 << 10)
    }

    @Test("removeAll drops what is held")
    func removeAll() throws {
        var accumulator = FrameAccumulator(parser: FrameParser())
        let (bytes, expected) = Self.stream()
        accumulator.append(bytes.getSlice(at: bytes.readerIndex, length: 10)!)
        #expect(try accumulator.nextFrame() == nil)
        accumulator.removeAll()
        #expect(accumulator.heldBytes == 0 && accumulator.heldMemory == 0)
        accumulator.append(bytes)
        #expect(try accumulator.nextFrame() == expected[0])
    }

    @Test("random frames, some corrupted, split at random: the same frames and the same error as whole")
    func fuzzedSplits() throws {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<300 {
            var bytes = ByteBuffer()
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let flags = [FrameFlags(), .end, .error, [.end, .error]].randomElement(using: &rng)!
                let payload = (0..<Int.random(in: 0...3_000, using: &rng)).map { _ in
                    UInt8.random(in: 0...255, using: &rng)
                }
                bytes.writeInteger(flags.rawValue)
                bytes.writeInteger(UInt32(payload.count), endianness: .big)
                bytes.writeBytes(payload)
            }
            if Bool.random(using: &rng) {
                let at = Int.random(in: 0..<bytes.readableBytes, using: &rng)
                bytes.setInteger(UInt8.random(in: 0...255, using: &rng), at: at)
            }
            let whole = Self.outcome { () throws(WireError) -> [Frame] in
                var rest = bytes
                var frames: [Frame] = []
                while let frame = try FrameParser().nextFrame(from: &rest) { frames.append(frame) }
                return frames
            }
            let pieces = (0..<64).map { _ in Int.random(in: 1...900, using: &rng) }
            let split = Self.outcome { () throws(WireError) -> [Frame] in
                var accumulator = FrameAccumulator(parser: FrameParser())
                var rest = bytes
                var frames: [Frame] = []
                var sizes = pieces.makeIterator()
                while rest.readableBytes > 0 {
                    let size = min(sizes.next() ?? rest.readableBytes, rest.readableBytes)
                    accumulator.append(rest.readSlice(length: size)!)
                    while let frame = try accumulator.nextFrame() { frames.append(frame) }
                }
                return frames
            }
            #expect(whole == split)
        }
    }

    /// Frames taken, or the code of the error that stopped them (frames before an error are not
    /// compared: the split run may have taken them, the whole run threw before returning them).
    private static func outcome(_ body: () throws(WireError) -> [Frame]) -> Outcome {
        do throws(WireError) {
            return .frames(try body())
        } catch {
            return .failed(error.code)
        }
    }

    private enum Outcome: Equatable {
        case frames([Frame])
        case failed(WireError.Code)
    }
}
