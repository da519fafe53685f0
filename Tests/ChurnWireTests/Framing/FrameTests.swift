import ChurnTesting
import ChurnWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("Frames: flags, length, payload; LZ4 above a threshold; limits before allocation", .onComputeThreads)
struct FrameTests {
    @Test("a small message travels uncompressed with the header the specification gives")
    func plainFrame() throws {
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        var buffer = ByteBuffer()
        let request = Fixtures.scoreRequest()
        encoder.encode(request, flags: .end, into: &buffer)
        let payloadSize = request.encodedSize
        #expect(buffer.readableBytes == 5 + payloadSize)
        #expect(buffer.getInteger(at: 0, as: UInt8.self) == FrameFlags.end.rawValue)
        #expect(buffer.getInteger(at: 1, endianness: .big, as: UInt32.self) == UInt32(payloadSize))
        let frame = try #require(try FrameParser().nextFrame(from: &buffer))
        #expect(frame.isEnd && !frame.isError)
        #expect(try frame.decode(as: ScoreRequest.self) == request)
        #expect(buffer.readableBytes == 0)
    }

    @Test("a large payload is compressed when the peer accepts it, and not otherwise")
    func compression() throws {
        let message = Fixtures.batchRequest(rows: 5_000)
        var compressed = ByteBuffer()
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        encoder.encode(message, into: &compressed)
        #expect(compressed.getInteger(at: 0, as: UInt8.self)! & FrameFlags.compressed.rawValue != 0)
        #expect(compressed.readableBytes < message.encodedSize / 2)
        let frame = try #require(try FrameParser().nextFrame(from: &compressed))
        #expect(frame.flags.contains(.compressed))
        #expect(try frame.decode(as: ScoreBatchRequest.self) == message)

        var plain = ByteBuffer()
        var refusing = FrameEncoder(peerAcceptsCompression: false)
        refusing.encode(message, into: &plain)
        #expect(plain.getInteger(at: 0, as: UInt8.self) == 0)
        #expect(plain.readableBytes == 5 + message.encodedSize)
    }

    @Test("an incompressible payload is sent as it is")
    func incompressible() throws {
        var rng = SplitMix64(seed: 1)
        let noise = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let message = PublishModelRequest(name: "noise", artifact: noise)
        var buffer = ByteBuffer()
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        encoder.encode(message, into: &buffer)
        #expect(buffer.getInteger(at: 0, as: UInt8.self) == 0)
        #expect(try FrameParser().nextFrame(from: &buffer)?.decode(as: PublishModelRequest.self) == message)
    }

    @Test("an oversized frame is refused from its header alone, before its payload arrives")
    func oversized() {
        var header = ByteBuffer(bytes: [0x00, 0x40, 0x00, 0x00, 0x00])  // claims 1 GiB
        #expect(throws: WireError.self) { try FrameParser().nextFrame(from: &header) }
        do {
            _ = try FrameParser().nextFrame(from: &header)
        } catch {
            #expect(error.code == .frameTooLarge)
        }
    }

    private static func parseCode(_ bytes: [UInt8], parser: FrameParser = FrameParser()) -> WireError.Code? {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            _ = try parser.nextFrame(from: &buffer)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("compressed frames: declared size over the limit, bad LZ4, wrong size, not accepted")
    func badCompression() {
        // Declares 1 GiB decompressed.
        #expect(Self.parseCode([0x01, 0, 0, 0, 6, 0x40, 0, 0, 0, 0x10, 0x41]) == .decompressedTooLarge)
        // Garbage block.
        #expect(Self.parseCode([0x01, 0, 0, 0, 8, 0, 0, 0, 16, 0xFF, 0xFF, 0xFF, 0xFF]) == .malformedCompression)
        // A valid block of "A" (1 literal) but a declared size of 2.
        #expect(Self.parseCode([0x01, 0, 0, 0, 6, 0, 0, 0, 2, 0x10, 0x41]) == .malformedCompression)
        // The same block with the right size decodes.
        #expect(Self.parseCode([0x01, 0, 0, 0, 6, 0, 0, 0, 1, 0x10, 0x41]) == nil)
        // Shorter than its size prefix; an empty declared payload.
        #expect(Self.parseCode([0x01, 0, 0, 0, 2, 0, 0]) == .malformedCompression)
        #expect(Self.parseCode([0x01, 0, 0, 0, 6, 0, 0, 0, 0, 0x10, 0x41]) == .malformedCompression)
        // Compression not offered.
        let strict = FrameParser(acceptsCompression: false)
        #expect(Self.parseCode([0x01, 0, 0, 0, 6, 0, 0, 0, 1, 0x10, 0x41], parser: strict) == .compressionNotAccepted)
    }

    @Test("reserved flag bits are refused", arguments: Array(3...7))
    func reservedFlags(bit: Int) {
        #expect(Self.parseCode([UInt8(1) << bit, 0, 0, 0, 0]) == .invalidFrameFlags)
    }

    @Test("the decoder cuts frames out of any split of the byte stream")
    func dripFed() throws {
        var encoder = FrameEncoder(peerAcceptsCompression: true)
        var frames: [(ByteBuffer, [Frame])] = []
        for message in [Fixtures.scoreRequest(), Fixtures.scoreRequest(featureCount: 0)] {
            var bytes = ByteBuffer()
            encoder.encode(message, flags: .end, into: &bytes)
            var payload = ByteBuffer()
            message.encode(into: &payload)
            frames.append((bytes, [Frame(flags: .end, payload: payload)]))
        }
        var big = ByteBuffer()
        encoder.encode(Fixtures.batchRequest(rows: 2_000), into: &big)
        var bigPayload = ByteBuffer()
        Fixtures.batchRequest(rows: 2_000).encode(into: &bigPayload)
        frames.append((big, [Frame(flags: .compressed, payload: bigPayload)]))
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: frames) { FrameDecoder() }
    }

    @Test("a stream that ends inside a frame is an error, and the frames before it arrive")
    func truncatedStream() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        var bytes = ByteBuffer()
        var encoder = FrameEncoder()
        encoder.encode(Fixtures.scoreRequest(), into: &bytes)
        bytes.writeBytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x01])  // a header claiming 16 bytes, then 1
        try channel.writeInbound(bytes)
        let first = try #require(try channel.readInbound(as: Frame.self))
        #expect(try first.decode(as: ScoreRequest.self) == Fixtures.scoreRequest())
        #expect(throws: WireError.self) { try channel.finish() }
    }
}
