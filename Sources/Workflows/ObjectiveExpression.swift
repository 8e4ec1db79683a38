import Foundation

/// A search objective written as arithmetic over metric names, e.g. `rmse + 0.1*rmse_rank` (PerturBench's
/// selection rule): numbers, metric names, `+ - * /`, unary minus and parentheses, with the usual precedence.
/// A metric name stands for its mean over the validation perturbations.
public struct ObjectiveExpression: Sendable, Equatable, CustomStringConvertible {
    indirect enum Node: Sendable, Equatable {
        case number(Double)
        case name(String)
        case negate(Node)
        case binary(Character, Node, Node)
    }

    let root: Node
    public let description: String

    /// Parses `text`; the error says where and what was expected.
    public init(_ text: String) throws {
        var parser = Parser(text: Array(text))
        let node = try parser.sum()
        parser.skipSpaces()
        guard parser.at == parser.text.count else { throw parser.error("an operator or the end") }
        root = node
        description = text
    }

    /// The metric names the expression uses, in first-use order.
    public var names: [String] {
        var out: [String] = []
        func walk(_ n: Node) {
            switch n {
            case .number: break
            case .name(let s): if !out.contains(s) { out.append(s) }
            case .negate(let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            }
        }
        walk(root)
        return out
    }

    /// The value for the given metric values (NaN when one is missing or NaN).
    public func evaluate(_ values: [String: Double]) -> Double {
        func value(_ n: Node) -> Double {
            switch n {
            case .number(let x): return x
            case .name(let s): return values[s] ?? .nan
            case .negate(let a): return -value(a)
            case .binary(let op, let a, let b):
                let (x, y) = (value(a), value(b))
                switch op {
                case "+": return x + y
                case "-": return x - y
                case "*": return x * y
                default: return x / y
                }
            }
        }
        return value(root)
    }

    /// Is the expression a single metric name?
    public var singleName: String? { if case .name(let s) = root { return s } else { return nil } }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    struct Parser {
        let text: [Character]
        var at = 0

        func error(_ expected: String) -> ParseError {
            let found = at < text.count ? "'\(text[at])' at character \(at + 1)" : "the end"
            return ParseError(description: "expected \(expected), found \(found) in '\(String(text))'")
        }

        mutating func skipSpaces() { while at < text.count, text[at].isWhitespace { at += 1 } }

        mutating func sum() throws -> Node {
            var node = try product()
            while true {
                skipSpaces()
                guard at < text.count, text[at] == "+" || text[at] == "-" else { return node }
                let op = text[at]
                at += 1
                node = .binary(op, node, try product())
            }
        }

        mutating func product() throws -> Node {
            var node = try unary()
            while true {
                skipSpaces()
                guard at < text.count, text[at] == "*" || text[at] == "/" else { return node }
                let op = text[at]
                at += 1
                node = .binary(op, node, try unary())
            }
        }

        mutating func unary() throws -> Node {
            skipSpaces()
            guard at < text.count else { throw error("a number, a metric name or '('") }
            let c = text[at]
            if c == "-" {
                at += 1
                return .negate(try unary())
            }
            if c == "+" {
                at += 1
                return try unary()
            }
            if c == "(" {
                at += 1
                let node = try sum()
                skipSpaces()
                guard at < text.count, text[at] == ")" else { throw error("')'") }
                at += 1
                return node
            }
            if c.isNumber || c == "." {
                let start = at
                while at < text.count, text[at].isNumber || text[at] == "." { at += 1 }
                if at < text.count, text[at] == "e" || text[at] == "E" {
                    var end = at + 1
                    if end < text.count, text[end] == "+" || text[end] == "-" { end += 1 }
                    if end < text.count, text[end].isNumber {
                        at = end
                        while at < text.count, text[at].isNumber { at += 1 }
                    }
                }
                guard let x = Double(String(text[start..<at])) else {
                    at = start
                    throw error("a number")
                }
                return .number(x)
            }
            if c.isLetter || c == "_" {
                let start = at
                while at < text.count, text[at].isLetter || text[at].isNumber || text[at] == "_" { at += 1 }
                return .name(String(text[start..<at]))
            }
            throw error("a number, a metric name or '('")
        }
    }
}
