public import NIOCore

/// A message generated from `wire/*.wire`: a value type that encodes itself into the wire format
/// and decodes itself from it.
///
/// ```swift
/// var buffer = ByteBuffer()
/// ScoreRequest(crm: 4711, productGroup: "fuel", features: [0.5, 12]).encode(into: &buffer)
/// let request = try ScoreRequest(decoding: buffer)
/// ```
///
/// Encoding writes fields in field-number order and omits scalars that hold their default value
/// (0, false, empty), so equal values encode to equal bytes. Decoding skips unknown fields, gives
/// absent fields their defaults, and checks ``WireLimits`` before allocating.
public protocol WireMessage: Sendable, Equatable {
    /// The message's full name in the schema, such as `churn.v1.ScoreRequest`.
    static var wireName: String { get }

    /// A message with every field at its default.
    init()

    /// The exact number of bytes ``encode(to:)`` writes.
    var encodedSize: Int { get }

    /// Writes the message's fields (without a length prefix).
    func encode(to writer: inout WireWriter)

    /// Reads fields until the end of the reader's current message.
    init(from reader: inout WireReader) throws(WireError)

    /// Writes the message as canonical JSON (`wire/README.md`, "JSON form").
    func writeJSON(to json: inout JSONWriter)
}

extension WireMessage {
    /// Appends the encoded message to `buffer`, growing it at most once.
    @inlinable
    public func encode(into buffer: inout ByteBuffer) {
        let size = self.encodedSize
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
            let start = memory.baseAddress.unsafelyUnwrapped
            var writer = WireWriter(start: start, capacity: size)
            self.encode(to: &writer)
            assert(writer.written(from: start) == size, "\(Self.wireName) wrote a size other than encodedSize")
            return size
        }
    }

    /// The encoded message as an array of bytes.
    @inlinable
    public func encodedBytes() -> [UInt8] {
        let size = self.encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { memory, initialized in
            if size > 0 {
                var writer = WireWriter(
                    start: UnsafeMutableRawPointer(memory.baseAddress.unsafelyUnwrapped),
                    capacity: size
                )
                self.encode(to: &writer)
            }
            initialized = size
        }
    }

    /// Decodes a message from all the readable bytes of `buffer` (which is not consumed).
    ///
    /// - Throws: ``WireError`` when the bytes are not a valid encoding or break `limits`.
    @inlinable
    public init(decoding buffer: ByteBuffer, limits: WireLimits = .defaults) throws(WireError) {
        self = try Self.decode(buffer: buffer, limits: limits)
    }

    /// Decodes a message from `bytes`.
    ///
    /// - Throws: ``WireError`` when the bytes are not a valid encoding or break `limits`.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer, limits: WireLimits = .defaults) throws(WireError) {
        var reader = WireReader(bytes: bytes, limits: limits)
        self = try Self(from: &reader)
    }

    /// Decodes a message from an array of bytes.
    ///
    /// - Throws: ``WireError`` when the bytes are not a valid encoding or break `limits`.
    @inlinable
    public init(decoding bytes: [UInt8], limits: WireLimits = .defaults) throws(WireError) {
        let result: Result<Self, WireError> = bytes.withUnsafeBytes { memory in
            Result { () throws(WireError) -> Self in try Self(decoding: memory, limits: limits) }
        }
        self = try result.get()
    }

    @inlinable
    static func decode(buffer: ByteBuffer, limits: WireLimits) throws(WireError) -> Self {
        let result: Result<Self, WireError> = buffer.withUnsafeReadableBytes { memory in
            Result { () throws(WireError) -> Self in try Self(decoding: memory, limits: limits) }
        }
        return try result.get()
    }

    /// The message as canonical JSON: every field by its schema name, 64-bit integers and
    /// non-finite floats as strings, bytes as lowercase hex.
    public var jsonString: String {
        var json = JSONWriter()
        self.writeJSON(to: &json)
        return json.output
    }
}
