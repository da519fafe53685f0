import Foundation

/// Writes text lines to a file (or standard output for `-`) through a buffer, so a million-line
/// CSV is not built in memory first. A regular file appears under its name only when closed
/// complete; anything else that exists under the name (`/dev/null`, a FIFO, a terminal) is written
/// to as it is, never replaced.
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
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
            type != .typeRegular, type != .typeDirectory
        {
            // Renaming a file over /dev/null (as root) would replace the device for every process.
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw WriteError(description: "cannot write '\(path)'")
            }
            self.handle = handle
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
        guard let temporary = self.temporaryPath else {
            if self.path != "-" { try? self.handle.close() }
            return
        }
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
