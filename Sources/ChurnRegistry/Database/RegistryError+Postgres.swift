import PostgresNIO

extension RegistryError {
    /// A database failure as a registry error: the server's own message when it sent one
    /// (a constraint, a trigger), otherwise "unreachable".
    static func wrapping(_ error: any Error, _ doing: String) -> RegistryError {
        if let registry = error as? RegistryError { return registry }
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
            if let inner { return Self.wrapping(inner, doing) }
        }
        if let postgres = error as? PSQLError {
            if let message = postgres.serverInfo?[.message] {
                let state = postgres.serverInfo?[.sqlState] ?? ""
                return RegistryError(
                    state == "40001" ? .conflict : .unavailable,
                    "\(doing): the database refused: \(message)"
                )
            }
            return RegistryError(.unavailable, "\(doing): the database is unreachable (\(postgres.code))")
        }
        return RegistryError(.unavailable, "\(doing): \(error)")
    }
}
