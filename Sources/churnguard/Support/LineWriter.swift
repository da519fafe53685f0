import Foundation

/// Writes text lines to a file (or standard output for `-`) through a buffer, so a million-line
/// CSV is not built in memory first. The file appears under its name only when closed complete.
final class LineWriter {
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    private let handle: FileHandle
    private let path: String
    private let temporaryPath: String?
    private var buffer: [UInt8] = []

    init(path: String) throws(WriteError) {
        self.path = path
        if path == "-" {
            self.handle = FileHandle.standardOutput
            self.temporaryPath = nil
            return
        }
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else {
            throw WriteError(description: "cannot write '\(path)'")
        }
        self.handle = handle
        self.temporaryPath = temporary
        self.buffer.reserveCapacity(1 << 20)
    }

    func write(_ line: String) throws(WriteError) {
        self.buffer.append(contentsOf: line.utf8)
        self.buffer.append(UInt8(ascii: "\n"))
        if self.buffer.count >= 1 << 20 { try self.flush() }
    }

    private func flush() throws(WriteError) {
        do {
            try self.handle.write(contentsOf: self.buffer)
        } catch {
            throw WriteError(description: "writing '\(self.path)': \(error.localizedDescription)")
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and puts the file in place.
    func close() throws(WriteError) {
        try self.flush()
        guard let temporary = self.temporaryPath else { return }
        do {
            try self.handle.close()
            if FileManager.default.fileExists(atPath: self.path) {
                try FileManager.default.removeItem(atPath: self.path)
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: self.path)
        } catch {
            throw WriteError(description: "finishing '\(self.path)': \(error.localizedDescription)")
        }
    }
}
