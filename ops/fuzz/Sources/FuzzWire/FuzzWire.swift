import ChurnWire
import FuzzDriver
import NIOCore

/// One libFuzzer input: the first byte picks a message type of the schema, the rest is decoded as
/// that message; the whole input is also parsed as a stream of frames (compression accepted) whose
/// payloads are decoded as the picked type. Anything other than a value or a `WireError` — a
/// crash, a sanitizer report, an allocation past libFuzzer's `-malloc_limit_mb` — is a finding.
/// Whatever decodes must re-encode canonically.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let types = WireSchema.messageTypes
    let type = types[Int(input[0]) % types.count]
    let limits = WireLimits.defaults { $0.maxFrameSize = 1 << 20 }
    checkMessage(type, UnsafeRawBufferPointer(rebasing: input[1...]), limits: limits)

    var buffer = ByteBuffer(bytes: input)
    let parser = FrameParser(limits: limits, acceptsCompression: true)
    while true {
        guard let frame = try? parser.nextFrame(from: &buffer) else { break }
        frame.payload.withUnsafeReadableBytes { checkMessage(type, $0, limits: limits) }
    }
    return 0
}

private func checkMessage<M: WireMessage>(_: M.Type, _ bytes: UnsafeRawBufferPointer, limits: WireLimits) {
    guard let message = try? M(decoding: bytes, limits: limits) else { return }
    let canonical = message.encodedBytes()
    precondition(canonical.count == message.encodedSize, "\(M.wireName): encodedSize is wrong")
    guard let again = try? M(decoding: canonical, limits: limits) else {
        preconditionFailure("\(M.wireName): a decoded message's encoding does not decode")
    }
    precondition(again.encodedBytes() == canonical, "\(M.wireName): encoding is not canonical")
}

/// SwiftPM links an executable target's entry point under this name (and points `main` at it), so
/// it starts libFuzzer's driver with the test function above.
@_cdecl("FuzzWire_main")
public func fuzzWireMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { start, size in fuzzWire(start, size) }
}
