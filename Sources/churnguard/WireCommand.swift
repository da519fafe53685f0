import ArgumentParser
import ChurnWire
import NIOCore

/// Hand tools for the wire format.
struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Inspect the wire format: decode bytes, list messages and methods, compute slots, show a demo.",
        subcommands: [Decode.self, List.self, SlotOf.self, WireDemoCommand.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a hex-encoded message and print it as JSON.",
            discussion: "Example: churnguard wire decode ScoreRequest 0801120161"
        )

        @Argument(help: "The message name, with or without 'churn.v1.' (see `churnguard wire list`).")
        var message: String

        @Argument(help: "The message's bytes as hex (spaces allowed).")
        var hex: String

        @Flag(help: "The hex is a whole frame (flags, length, payload), not a bare message.")
        var frame = false

        func run() throws {
            let name = self.message.hasPrefix("churn.v1.") ? self.message : "churn.v1.\(self.message)"
            guard let type = WireSchema.messageTypes.first(where: { $0.wireName == name }) else {
                throw ValidationError("no message '\(self.message)'; `churnguard wire list` shows them")
            }
            guard let bytes = Hex.decode(self.hex) else { throw ValidationError("the bytes are not hex") }
            do {
                print(try Self.decode(type, bytes, frame: self.frame))
            } catch let error as WireError {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }

        private static func decode<M: WireMessage>(_: M.Type, _ bytes: [UInt8], frame: Bool) throws -> String {
            guard frame else { return try M(decoding: bytes).jsonString }
            var buffer = ByteBuffer(bytes: bytes)
            guard let frame = try FrameParser().nextFrame(from: &buffer) else {
                throw WireError(.truncated, "the bytes end inside the frame", offset: bytes.count)
            }
            return "flags: \(frame.flags.rawValue) \(frame.isError ? "error " : "")\(frame.isEnd ? "end" : "")\n"
                + (frame.isError
                    ? try ErrorReply(decoding: frame.payload).jsonString : try frame.decode(as: M.self).jsonString)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every message and RPC method of the schema.")

        func run() {
            print("Methods:")
            for method in WireSchema.methods {
                print("  POST \(method.path)  (\(method.requestType) → \(method.responseType), \(method.kind))")
            }
            print("Messages:")
            for type in WireSchema.messageTypes { print("  \(type.wireName)") }
        }
    }

    struct SlotOf: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slot",
            abstract: "Print the slot (0 to 4095) of CRM numbers."
        )

        @Argument(help: "CRM numbers.")
        var crms: [UInt64]

        func run() {
            for crm in self.crms { print("\(crm)\t\(Slot(crm: crm).rawValue)") }
        }
    }
}
