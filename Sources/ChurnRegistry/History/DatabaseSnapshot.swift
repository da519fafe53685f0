/// What one read of the database saw: PostgreSQL's snapshot of it (`pg_current_snapshot()`, as
/// text), which names the transactions whose changes the read saw. An ingested event whose
/// transaction it does not see was committed after the read, or was in progress during it.
///
/// A scorer keeps the snapshot of its last read of the histories, so that after a lost connection
/// it reads again only the customers changed since (``CustomerChangeFollower``), not every history.
public struct DatabaseSnapshot: Sendable, Hashable, CustomStringConvertible {
    /// `xmin:xmax:xip_list`, PostgreSQL's text form of a `pg_snapshot`.
    public let text: String

    public init(text: String) { self.text = text }

    public var description: String { self.text }
}
