/// A typed error from decoding bytes that do not form a valid frame or message.
///
/// Every decoder in ChurnWire throws only this type. `code` says what kind of fault it was (callers
/// map all of them to the wire status `invalidArgument`); `description` says what a person can fix.
/// The error never carries the offending bytes, which may hold customer data.
public struct WireError: Error, Sendable, Hashable {
    /// The kind of decoding fault. An open set: new codes break no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: Sendable, Hashable {
            case truncated, malformedVarint, wrongWireType, invalidWireType, invalidFieldNumber
            case valueOutOfRange, invalidUTF8, malformedPackedArray, nestingTooDeep
            case tooManyElements, frameTooLarge, decompressedTooLarge, malformedCompression
            case compressionNotAccepted, invalidFrameFlags, trailingBytes
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The input ended inside a tag, a value or a frame.
        public static let truncated = Code(.truncated)
        /// A varint ran past ten bytes or past 64 bits.
        public static let malformedVarint = Code(.malformedVarint)
        /// A known field arrived with a wire type its schema type cannot have.
        public static let wrongWireType = Code(.wrongWireType)
        /// A tag named wire type 3, 4, 6 or 7, which this format does not use.
        public static let invalidWireType = Code(.invalidWireType)
        /// A tag named field number 0 or one above 2^29 - 1.
        public static let invalidFieldNumber = Code(.invalidFieldNumber)
        /// A varint does not fit its field's type (a u32 above 2^32 - 1, a bool other than 0 or 1).
        public static let valueOutOfRange = Code(.valueOutOfRange)
        /// A string field's bytes are not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A packed array's byte length is not a multiple of its element size.
        public static let malformedPackedArray = Code(.malformedPackedArray)
        /// Messages nest deeper than ``WireLimits/maxNestingDepth``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// A repeated field holds more than ``WireLimits/maxRepeatedCount`` elements.
        public static let tooManyElements = Code(.tooManyElements)
        /// A frame declares a payload larger than ``WireLimits/maxFrameSize``.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A compressed frame declares a decompressed size above ``WireLimits/maxDecompressedSize``.
        public static let decompressedTooLarge = Code(.decompressedTooLarge)
        /// A compressed payload is not a valid LZ4 block of the declared size.
        public static let malformedCompression = Code(.malformedCompression)
        /// A compressed frame arrived from a peer that was not told compression is accepted.
        public static let compressionNotAccepted = Code(.compressionNotAccepted)
        /// A frame's flags byte sets reserved bits.
        public static let invalidFrameFlags = Code(.invalidFrameFlags)
        /// Bytes remain after a complete value where none may.
        public static let trailingBytes = Code(.trailingBytes)

        public var description: String {
            switch self.wrapped {
            case .truncated: "truncated"
            case .malformedVarint: "malformed varint"
            case .wrongWireType: "wrong wire type"
            case .invalidWireType: "invalid wire type"
            case .invalidFieldNumber: "invalid field number"
            case .valueOutOfRange: "value out of range"
            case .invalidUTF8: "invalid UTF-8"
            case .malformedPackedArray: "malformed packed array"
            case .nestingTooDeep: "nesting too deep"
            case .tooManyElements: "too many elements"
            case .frameTooLarge: "frame too large"
            case .decompressedTooLarge: "decompressed size too large"
            case .malformedCompression: "malformed compression"
            case .compressionNotAccepted: "compression not accepted"
            case .invalidFrameFlags: "invalid frame flags"
            case .trailingBytes: "trailing bytes"
            }
        }
    }

    /// What kind of fault this is.
    public var code: Code
    /// A sentence a person can act on, naming the field or limit involved (never the data).
    public var message: String
    /// The byte offset in the decoded input where the fault was found.
    public var offset: Int

    /// Makes an error.
    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }
}

extension WireError: CustomStringConvertible {
    public var description: String { "\(self.code) at byte \(self.offset): \(self.message)" }
}
