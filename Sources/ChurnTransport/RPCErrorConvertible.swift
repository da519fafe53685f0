public import ChurnWire

/// A domain error that knows which wire status it is (as `RPCErrorConvertible` in grpc-swift).
public protocol RPCErrorConvertible: Error {
    /// The error as the caller should see it.
    var rpcError: RPCError { get }
}

extension WireError: RPCErrorConvertible {
    /// A malformed request: `invalidArgument`, with the decoder's own description.
    public var rpcError: RPCError {
        RPCError(.invalidArgument, "malformed request: \(self.description)")
    }
}
