import ChurnModel
import ChurnWire
import FuzzDriver

/// One libFuzzer input for the scorers' customer-history cache (`StoredCustomer.unarchive`): the
/// bytes are decoded as they are and, so that the fuzzer reaches the reader behind the checksum,
/// also sealed first — `CGCH`, a version (1 or 2, by the first byte), the SHA-256 of the rest of
/// the input, then that rest. Anything other than customers or a `ModelError` — a crash, a
/// sanitizer report, an allocation past libFuzzer's `-malloc_limit_mb` — is a finding. What
/// decodes must survive a round trip through `archive` unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHistoryArchive(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    check(input)
    let body = Array(input.dropFirst())
    check(Array("CGCH".utf8) + [input[0] & 1 == 0 ? 2 : 1] + SHA256.hash(body) + body)
    return 0
}

private func check(_ bytes: [UInt8]) {
    guard let customers = try? StoredCustomer.unarchive(bytes) else { return }
    let again: [StoredCustomer]
    do {
        again = try StoredCustomer.unarchive(StoredCustomer.archive(customers))
    } catch {
        preconditionFailure("an archive of decoded customers does not decode: \(error)")
    }
    precondition(again.count == customers.count, "the round trip changed the number of customers")
    for (a, b) in zip(customers, again) {
        precondition(a.crm == b.crm && a.productGroup == b.productGroup, "the round trip changed a customer's key")
        precondition(a.contractStartDay == b.contractStartDay, "the round trip changed a contract start")
        precondition(a.months.map(\.month) == b.months.map(\.month), "the round trip changed the months")
        precondition(
            zip(a.activeDays, b.activeDays).allSatisfy { $0?.first == $1?.first && $0?.last == $1?.last },
            "the round trip changed the active days"
        )
    }
}

/// SwiftPM links an executable target's entry point under this name (and points `main` at it), so
/// it starts libFuzzer's driver with the test function above.
@_cdecl("FuzzHistoryArchive_main")
public func fuzzHistoryArchiveMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { start, size in fuzzHistoryArchive(start, size) }
}
