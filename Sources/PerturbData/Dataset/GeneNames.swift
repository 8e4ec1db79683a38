import AnnData

/// Gene names taken from a var column instead of the var index (`--gene-names-col symbol`), for files indexed by
/// Ensembl IDs whose perturbations name their targets by symbol.
public struct GeneNames: Sendable, Equatable {
    /// One name per gene, unique.
    public let names: [String]
    /// Genes whose column value was missing or blank and kept their index entry.
    public let missing: Int
    /// Genes whose name repeated an earlier one and got a `-1`, `-2`, … suffix, as anndata's
    /// `var_names_make_unique` does (several IDs often share a symbol).
    public let suffixed: Int

    /// The names of `variables`' column `column` (from `path`, for messages).
    public init(_ variables: DataFrame, column: String, path: String) throws {
        guard let values = variables[column]?.labels() else {
            throw PerturbDataError.missingColumn(path: path, column: "var/\(column)", available: variables.columnNames)
        }
        var names: [String] = [], missing = 0
        names.reserveCapacity(values.count)
        for (i, value) in values.enumerated() {
            if let value, !ConditionLabeling.isBlank(value) {
                names.append(value)
            } else {
                names.append(variables.index[i])
                missing += 1
            }
        }
        // The first occurrence keeps its name; later ones get the first free `-k`.
        var taken = Set(names), seen = Set<String>(), suffixed = 0
        var next: [String: Int] = [:]
        for i in names.indices where !seen.insert(names[i]).inserted {
            var k = next[names[i], default: 1]
            while taken.contains("\(names[i])-\(k)") { k += 1 }
            next[names[i]] = k + 1
            let unique = "\(names[i])-\(k)"
            taken.insert(unique)
            seen.insert(unique)
            names[i] = unique
            suffixed += 1
        }
        self.names = names
        self.missing = missing
        self.suffixed = suffixed
    }

    /// `variables` indexed by these names, its former index kept in column `gene_ids` (as scanpy's `read_10x_h5`
    /// keeps the IDs when it indexes by symbol; `gene_ids_1`, … when that name is taken). Returns the column used.
    public func reindexing(_ variables: DataFrame) throws -> (variables: DataFrame, idColumn: String) {
        var out = variables
        var column = "gene_ids", k = 1
        while variables[column] != nil {
            column = "gene_ids_\(k)"
            k += 1
        }
        try out.setColumn(column, .string(variables.index))
        out.index = names
        return (out, column)
    }
}
