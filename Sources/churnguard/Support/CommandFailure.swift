/// A command that could not do its work for a reason outside its arguments (a database without
/// the registry, a file that cannot be written): printed as `Error: …` with exit status 1, without
/// the usage text a ValidationError brings.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
