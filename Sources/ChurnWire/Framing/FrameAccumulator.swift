public import NIOCore

/// The bytes one stream has received and not yet cut into frames, held in memory of their own.
///
/// HTTP/2 hands a stream its DATA as slices of the connection's read buffers, each of which holds
/// everything one read brought in (hundreds of KiB under load, for many streams at once). A
/// stream that kept such a slice while it waited for the rest of a frame would keep the whole
/// read buffer alive, and the next slice it appended would copy into yet another one. With
/// thousands of large requests arriving at once that held gigabytes where the frames needed
/// tens of megabytes, and the copying and page faults took the server's time.
///
/// So bytes that complete frames are cut straight out of what arrived, without a copy; the rest
/// of a frame is copied, once, into a buffer sized to the whole frame, which the frame's later
/// bytes fill.
///
/// ```swift
/// var accumulator = FrameAccumulator(parser: FrameParser(limits: limits))
/// accumulator.append(data)
/// while let frame = try accumulator.nextFrame() { serve(frame) }
/// ```
public struct FrameAccumulator: Sendable {
    /// The parser that cuts and checks the frames.
    public let parser: FrameParser
    private var held = ByteBuffer()
    /// Whether ``held`` is a buffer of this accumulator's own rather than a slice of one that
    /// arrived.
    private var heldIsOwn = false

    /// Makes an empty accumulator.
    public init(parser: FrameParser) {
        self.parser = parser
    }

    /// Bytes received and not yet taken as frames.
    public var heldBytes: Int { self.held.readableBytes }

    /// Bytes of memory the held bytes keep alive: the whole buffer they are in (0 when nothing
    /// is held). Right after bytes arrive that may be a connection's read buffer; once
    /// ``nextFrame()`` has said that more are needed it is at most the size of the frame begun
    /// (or of the bytes held, if more).
    public var heldMemory: Int { self.held.readableBytes == 0 ? 0 : self.held.storageCapacity }

    /// Takes bytes that arrived. When nothing is held they are kept as they are (a frame they
    /// complete is then cut from them without a copy); otherwise they are appended to the frame
    /// begun earlier.
    public mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        if self.held.readableBytes == 0 {
            self.held = bytes
            self.heldIsOwn = false
            return
        }
        if !self.heldIsOwn { self.takeOwnership(adding: bytes.readableBytes) }
        self.held.writeImmutableBuffer(bytes)
    }

    /// The next complete frame, or nil when more bytes are needed; then what is held of the
    /// next frame is in memory of its own, sized to that frame.
    ///
    /// The frames before it are dropped from that memory too: a stream that sends frames
    /// without end, none of them ending where a DATA frame does, holds at most about one frame,
    /// not all it has sent.
    ///
    /// - Throws: ``WireError`` as ``FrameParser/nextFrame(from:)`` does. After an error the
    ///   stream cannot be resynchronised.
    public mutating func nextFrame() throws(WireError) -> Frame? {
        if let frame = try self.parser.nextFrame(from: &self.held) { return frame }
        if self.held.readableBytes > 0 && (!self.heldIsOwn || self.held.readerIndex > 0) {
            self.takeOwnership(adding: 0)
        }
        return nil
    }

    /// Drops everything held.
    public mutating func removeAll() {
        self.held = ByteBuffer()
        self.heldIsOwn = false
    }

    /// Copies what is held into a buffer of its own, with room for `extra` more bytes and for
    /// the whole frame its header declares (already checked against the limits by the parser,
    /// which reads the header before it waits for the payload).
    private mutating func takeOwnership(adding extra: Int) {
        var capacity = self.held.readableBytes + extra
        if let length = self.held.getInteger(
            at: self.held.readerIndex + 1,
            endianness: .big,
            as: UInt32.self
        ), Int(length) <= self.parser.limits.maxFrameSize {
            capacity = max(capacity, Frame.headerSize + Int(length))
        }
        var own = ByteBufferAllocator().buffer(capacity: capacity)
        own.writeImmutableBuffer(self.held)
        self.held = own
        self.heldIsOwn = true
    }
}
