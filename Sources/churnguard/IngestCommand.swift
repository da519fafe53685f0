import ArgumentParser
import ChurnClient
import ChurnTransport
import ChurnWire
import Foundation
import Logging

/// `churnguard ingest`: activity events from a CSV file into a scorer, which commits them to
/// PostgreSQL and updates the histories it scores from.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send activity events from a CSV file to a scorer that holds customer histories.",
        discussion: """
            The file's first line names the columns event_id,crm,product_group,occurred_at,kind,amount,kag_delta \
            (amount and kag_delta may be left out). occurred_at is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC) or \
            Unix milliseconds; kind is purchase, return, discount, complaint, call_center_contact, \
            satisfaction, kag_change or contract_start. The whole file is checked before anything is sent. \
            Events go in calls of --batch events; each call is answered once its events are committed. \
            Sending a file again is safe: events already recorded (same event_id) are counted as \
            duplicates and not applied twice. So after a failure, send the same file again. \
            Example: churnguard ingest --tls-dir certs --events events.csv
            """
    )

    @Option(help: "The scorer, host:port.")
    var address = "127.0.0.1:7443"

    @OptionGroup var tls: ClientTLSOptions

    @Option(help: "The CSV file of events ('-' reads standard input).")
    var events: String

    @Option(help: "Events per call, 1 to 10000.")
    var batch = 1_000

    @Option(help: "How long to wait for each call, in milliseconds.")
    var timeoutMs = 30_000

    func validate() throws {
        guard (1...10_000).contains(self.batch) else { throw ValidationError("--batch must be 1 to 10000") }
        guard self.timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
    }

    func run() async throws {
        let (events, lineNumbers) = try self.readEvents()
        let configuration = ChurnClientConfiguration(
            target: try RPCConnection.Target(parsing: self.address),
            tls: try self.tls.clientTLS(),
            connections: 1,
            defaultTimeout: .milliseconds(self.timeoutMs)
        )
        var accepted = 0
        var duplicates = 0
        var sent = 0
        let started = ContinuousClock.now
        var lastProgress = started
        do {
            try await ChurnClient.withClient(configuration: configuration, logger: Logger(label: "churnguard.ingest")) {
                client in
                for start in stride(from: 0, to: events.count, by: self.batch) {
                    let chunk = Array(events[start..<min(start + self.batch, events.count)])
                    let answer = try await client.ingest(IngestRequest(events: chunk))
                    accepted += Int(answer.accepted)
                    duplicates += Int(answer.duplicates)
                    sent += chunk.count
                    if ContinuousClock.now - lastProgress >= .seconds(2) {
                        lastProgress = ContinuousClock.now
                        Terminal.progress("ingest: \(sent) of \(events.count) events committed")
                    }
                }
            }
        } catch let error as RPCError {
            // The scorer names a refused event by its place in the call: say its line instead.
            if error.status == .invalidArgument, let index = Self.eventIndex(in: error.message),
                sent + index < lineNumbers.count
            {
                let reason = error.message.drop { $0 != ":" }.dropFirst().drop { $0 == " " }
                print("error: line \(lineNumbers[sent + index]): \(reason) (the scorer refused the call it was in)")
            }
            print(
                "error: \(error)\n\(sent) of \(events.count) events were committed before it (\(accepted) new, "
                    + "\(duplicates) duplicates); send the same file again: events already recorded are not applied twice"
            )
            throw ExitCode(1)
        }
        print(
            "\(events.count) events committed in \(Terminal.seconds(ContinuousClock.now - started)): \(accepted) new, "
                + "\(duplicates) already recorded"
        )
    }

    /// `N` of a message that starts `events[N]:`.
    static func eventIndex(in message: String) -> Int? {
        guard message.hasPrefix("events["), let close = message.firstIndex(of: "]") else { return nil }
        return Int(message[message.index(message.startIndex, offsetBy: 7)..<close])
    }

    /// Every event of the file, checked, with its line number; a bad line stops the command
    /// before anything is sent.
    private func readEvents() throws -> (events: [ActivityEvent], lines: [Int]) {
        let text: String
        if self.events == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            guard let data = FileManager.default.contents(atPath: self.events) else {
                throw CommandFailure("cannot read \(self.events)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw CommandFailure("\(self.events) is empty: it needs a header line") }
        let csv = try ActivityCSV(header: header)
        var events: [ActivityEvent] = []
        var numbers: [Int] = []
        events.reserveCapacity(lines.count - 1)
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            events.append(try csv.event(line, number: index + 1))
            numbers.append(index + 1)
        }
        return (events, numbers)
    }
}
