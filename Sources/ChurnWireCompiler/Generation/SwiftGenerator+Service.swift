extension SwiftGenerator {
    /// A namespace with one ``RPCMethod`` per `rpc`.
    func writeService(_ service: Schema.Service, to writer: inout CodeWriter) {
        let declaration = service.declaration
        writer.doc(declaration.doc)
        writer.doc(declaration.doc.isEmpty ? [] : [""])
        writer.doc(["Service `\(service.fullName)`: its methods are served at `/\(service.fullName)/<Method>`."])
        writer.block("public enum \(Naming.serviceName(declaration.name))") { writer in
            writer.line("/// The service's full name.")
            writer.line("public static let name = \(Naming.literal(service.fullName))")
            for rpc in declaration.rpcs {
                let kind =
                    switch (rpc.requestStreams, rpc.responseStreams) {
                    case (false, false): ".unary"
                    case (true, false): ".clientStreaming"
                    case (false, true): ".serverStreaming"
                    case (true, true): ".bidirectionalStreaming"
                    }
                writer.line()
                writer.doc(rpc.doc)
                writer.doc(rpc.doc.isEmpty ? [] : [""])
                writer.doc(["`POST /\(service.fullName)/\(rpc.name)`."])
                writer.line(
                    "public static let \(Self.methodName(rpc.name)) = RPCMethod<\(self.swiftName(rpc.requestType)), "
                        + "\(self.swiftName(rpc.responseType))>(service: name, method: \(Naming.literal(rpc.name)), kind: \(kind))"
                )
            }
            writer.line()
            writer.line("/// Every method of the service.")
            writer.line(
                "public static let methods: [RPCMethodDescriptor] = ["
                    + declaration.rpcs.map { "\(Self.methodName($0.name)).descriptor" }.joined(separator: ", ") + "]"
            )
        }
        writer.line()
    }
}
