internal import PostgresNIO

/// The cells of one row, decoded in order, each as the concrete type the caller names.
struct RowCells {
    private var cells: PostgresRow.Iterator
    private var index = 0

    init(_ row: PostgresRow) {
        self.cells = row.makeIterator()
    }

    /// The next cell, which must not be NULL.
    ///
    /// - Throws: PostgresNIO's `PostgresDecodingError` for a NULL or a cell of another type, and
    ///   ``RegistryError`` when the row has no more cells.
    mutating func next<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        try self.cell().decode(Value.self, context: .default)
    }

    /// The next cell, nil when it is NULL.
    mutating func nextOptional<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value? {
        let cell = try self.cell()
        return cell.bytes == nil ? nil : try cell.decode(Value.self, context: .default)
    }

    private mutating func cell() throws -> PostgresCell {
        defer { self.index += 1 }
        guard let cell = self.cells.next() else {
            throw RegistryError(.unavailable, "a row has \(self.index) columns, fewer than expected")
        }
        return cell
    }
}
