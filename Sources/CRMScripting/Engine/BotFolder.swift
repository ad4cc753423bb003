/// One bot folder on disk: a folder of a company's part of the scripts
/// directory. Two companies may both have a `vendas`: they are two bots.
struct BotFolder: Hashable, Sendable {
    let company: CompanyFolder
    /// Its name within the company's part: an instance's name or number.
    let name: String

    /// Relative to the scripts directory: `vendas`, `companies/beta/vendas`.
    var path: String { company.path(of: name) }
}
