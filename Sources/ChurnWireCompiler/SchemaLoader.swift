import Foundation

/// Reads every `*.wire` file of a folder (not its subfolders), in name order, and checks them.
public enum SchemaLoader {
    /// Parses and checks the `.wire` files in `directory`, or the single file when `directory`
    /// names a file.
    ///
    /// - Parameters:
    ///   - directory: the folder or file, as messages and generated headers will name it.
    ///   - root: the folder `directory` is relative to; nil for the current directory.
    /// - Throws: ``SchemaErrors`` with every problem (unreadable files included).
    public static func load(_ directory: String, root: String? = nil) throws(SchemaErrors) -> Schema {
        let prefix = root.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: prefix + directory, isDirectory: &isDirectory) else {
            throw SchemaErrors([
                SchemaDiagnostic("no such file or folder", at: SourceLocation(file: directory, line: 1, column: 1))
            ])
        }
        var paths: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: prefix + directory)) ?? []
            paths = names.filter { $0.hasSuffix(".wire") }.sorted().map { "\(directory)/\($0)" }
        } else {
            paths = [directory]
        }
        guard !paths.isEmpty else {
            throw SchemaErrors([
                SchemaDiagnostic("no .wire files here", at: SourceLocation(file: directory, line: 1, column: 1))
            ])
        }
        var files: [SchemaFile] = []
        var diagnostics: [SchemaDiagnostic] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: prefix + path),
                let text = String(data: data, encoding: .utf8)
            else {
                diagnostics.append(
                    SchemaDiagnostic(
                        "cannot read the file as UTF-8",
                        at: SourceLocation(file: path, line: 1, column: 1)
                    )
                )
                continue
            }
            do {
                files.append(try Parser.parse(text, path: path))
            } catch {
                diagnostics.append(error)
            }
        }
        guard diagnostics.isEmpty else { throw SchemaErrors(diagnostics) }
        return try SchemaChecker.check(files)
    }
}
