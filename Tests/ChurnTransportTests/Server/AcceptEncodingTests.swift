import ChurnTesting
import Testing

@testable import ChurnTransport

/// `churn-accept-encoding` lists encodings separated by commas; the server compresses its answers
/// only for a caller whose list has `lz4` as one of its entries.
@Suite("Reading churn-accept-encoding", .onOwnEventLoops)
struct AcceptEncodingTests {
    @Test(
        "lists that name lz4",
        arguments: ["lz4", "LZ4", "Lz4", " lz4 ", "\tlz4", "gzip, lz4", "lz4,gzip", "gzip ,  lz4  , br", ",lz4,"]
    )
    func listsLZ4(value: String) {
        #expect(RPCProtocol.listsLZ4(value))
    }

    @Test(
        "lists that do not",
        arguments: ["", " ", ",", "gzip", "lz44", "xlz4", "lz4x", "lz 4", "lz4;q=1", "lz\u{14}", "gzip, lz", "ＬＺ4"]
    )
    func doesNotListLZ4(value: String) {
        #expect(!RPCProtocol.listsLZ4(value))
    }
}
