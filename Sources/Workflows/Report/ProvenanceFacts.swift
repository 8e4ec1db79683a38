import Foundation
import Support

/// Provenance for a report: the manifest's command, version, wall time and input hashes, and any split files'
/// content hashes and seeds.
enum ProvenanceFacts {
    static func facts(manifestPath: String, splits: [String] = []) -> [(String, String)] {
        var out: [(String, String)] = []
        if let data = FileManager.default.contents(atPath: manifestPath),
            let m = try? JSONDecoder().decode(Manifest.self, from: data)
        {
            out.append(("command", m.command.joined(separator: " ")))
            out.append(("PerturbKit version", m.version))
            out.append(("wall time", String(format: "%.1f s", m.wallSeconds)))
            if let seed = m.seed { out.append(("seed", String(seed))) }
            if let h = m.splitHash { out.append(("split hash", h)) }
            for path in m.inputs.keys.sorted() { out.append(("input " + path, "sha256 " + m.inputs[path]!)) }
        } else {
            out.append(("manifest", "\(manifestPath) is missing or unreadable"))
        }
        for path in splits {
            guard let data = FileManager.default.contents(atPath: path),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            let hash = json["content_hash"] as? String ?? "?"
            let seed = (json["seed"] as? NSNumber).map { "seed \($0)" } ?? ""
            let strategy = json["strategy"] as? String ?? ""
            out.append(("split \(relative(path))", "\(strategy) \(seed), content hash \(hash)"))
        }
        return out
    }

    /// The last three path components (enough to tell runs/<dataset>/seed<k>/split.json apart).
    static func relative(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.suffix(4).joined(separator: "/")
    }
}
