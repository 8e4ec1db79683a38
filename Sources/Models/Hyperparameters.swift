/// A model's hyperparameters as `key = value` text, read through typed accessors that name the model and key
/// when a value does not parse. Text keeps the CLI (`--param k=v`), TOML and the model directory in one form.
public struct Hyperparameters: Sendable, Codable, Equatable {
    /// The values, by key.
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Parses `key=value` items (as given to `--param`).
    public init(parsing items: [String], model: String) throws {
        var values: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ModelError.invalidHyperparameter(model: model, key: item, value: "", expected: "key=value")
            }
            values[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        self.values = values
    }

    /// Fails on any key not in `known`.
    public func check(known: [String: String], model: String) throws {
        for key in values.keys.sorted() where known[key] == nil {
            let expected = known.isEmpty ? "no hyperparameters" : "one of " + known.keys.sorted().joined(separator: ", ")
            throw ModelError.invalidHyperparameter(model: model, key: key, value: values[key]!, expected: expected)
        }
    }

    /// A number, or `fallback` when absent; must lie in `range`.
    public func double(
        _ key: String, default fallback: Double, in range: ClosedRange<Double> = -.infinity ... .infinity,
        model: String
    ) throws -> Double {
        guard let text = values[key] else { return fallback }
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw ModelError.invalidHyperparameter(model: model, key: key, value: text, expected: "a number in \(range)")
        }
        return v
    }

    /// An integer, or `fallback` when absent; must lie in `range`.
    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, model: String) throws -> Int {
        guard let text = values[key] else { return fallback }
        guard let v = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() ? Int(exactly: $0) : nil }), range.contains(v) else {
            throw ModelError.invalidHyperparameter(model: model, key: key, value: text, expected: "an integer in \(range)")
        }
        return v
    }

    /// One of `choices`, or `fallback` when absent.
    public func choice(_ key: String, default fallback: String, among choices: [String], model: String) throws -> String {
        guard let text = values[key] else { return fallback }
        guard choices.contains(text) else {
            throw ModelError.invalidHyperparameter(
                model: model, key: key, value: text, expected: "one of " + choices.joined(separator: ", "))
        }
        return text
    }

    /// Text, or nil when absent.
    public func string(_ key: String) -> String? { values[key] }

    /// `key=value` items, sorted by key (for display and file names).
    public var items: [String] { values.keys.sorted().map { "\($0)=\(values[$0]!)" } }
}
