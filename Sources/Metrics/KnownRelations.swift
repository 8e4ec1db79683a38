import Foundation

/// Known gene relationships as groups of genes related to each other (a complex, a pathway, or a pair),
/// read from CORUM's `allComplexes.txt` (human rows), a Reactome-style GMT file, or a two-column pair file.
public struct KnownRelations: Sendable {
    /// Name shown in results (the file name without extension).
    public let name: String
    /// Gene groups; every two genes of a group are a known pair.
    public let groups: [[String]]

    public init(name: String, groups: [[String]]) {
        self.name = name
        self.groups = groups
    }

    /// Reads `path`, recognizing the format: CORUM (a header with `subunits(Gene name)`), GMT (`.gmt`), else
    /// pairs: Tx-Evaluation's relation tables (a CSV header naming `entity1` and `entity2`, read from those columns),
    /// or two columns separated by a tab, comma or spaces (a header line of other names becomes a pair of
    /// non-genes, which never matches).
    public static func read(_ path: String) throws -> KnownRelations {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EmbeddingError.unreadable(path: path, what: "relations file")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first else { throw EmbeddingError.invalid(path: path, reason: "the relations file is empty") }
        if header.contains("subunits(Gene name)") {
            let columns = header.components(separatedBy: "\t")
            guard let genes = columns.firstIndex(of: "subunits(Gene name)"), let organism = columns.firstIndex(of: "Organism") else {
                throw EmbeddingError.invalid(path: path, reason: "CORUM header lacks 'Organism' or 'subunits(Gene name)'")
            }
            let groups = lines.dropFirst().compactMap { line -> [String]? in
                let fields = line.components(separatedBy: "\t")
                guard fields.count > max(genes, organism), fields[organism] == "Human" else { return nil }
                return fields[genes].components(separatedBy: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            return KnownRelations(name: name, groups: groups)
        }
        if path.lowercased().hasSuffix(".gmt") {
            let groups = lines.map { line in Array(line.components(separatedBy: "\t").dropFirst(2)).filter { !$0.isEmpty } }
            return KnownRelations(name: name, groups: groups)
        }
        // Tx-Evaluation's relation tables (bmdb_database/*.txt): CSV with `entity1` and `entity2` columns among others.
        func fields(_ line: String) -> [String] {
            line.split(whereSeparator: { $0 == "\t" || $0 == "," || $0 == " " }).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        let named = fields(header).map { $0.lowercased() }
        var (first, second, skip) = (0, 1, 0)
        if let a = named.firstIndex(of: "entity1"), let b = named.firstIndex(of: "entity2") { (first, second, skip) = (a, b, 1) }
        var groups: [[String]] = []
        for (number, line) in lines.enumerated().dropFirst(skip) {
            let values = fields(line)
            guard values.count > max(first, second) else {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                throw EmbeddingError.invalid(path: path, reason: "line \(number + 1) has no two gene names: '\(line)'")
            }
            groups.append([values[first], values[second]])
        }
        return KnownRelations(name: name, groups: groups)
    }

    /// The unordered pairs among `genes` that these relations link (each pair once, as "A|B" with A < B).
    public func pairs(among genes: Set<String>) -> Set<String> {
        var out = Set<String>()
        for group in groups {
            let present = Array(Set(group.filter(genes.contains))).sorted()
            guard present.count > 1 else { continue }
            for a in 0..<present.count { for b in (a + 1)..<present.count { out.insert(present[a] + "|" + present[b]) } }
        }
        return out
    }
}

/// Problems with embedding-evaluation inputs.
public enum EmbeddingError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, what: String)
    case invalid(path: String, reason: String)
    case missingEmbedding(path: String, key: String, available: [String])
    case cellsMissing(path: String, count: Int, example: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let what): return "\(p): cannot read the \(what)"
        case .invalid(let p, let reason): return "\(p): \(reason)"
        case .missingEmbedding(let p, let key, let available):
            return "\(p): no obsm['\(key)'] (obsm keys: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .cellsMissing(let p, let n, let example):
            return "\(p): \(n) cells of the data have no embedding row (first: \(example))"
        }
    }
}
