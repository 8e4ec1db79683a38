/// Finds the malformed TOML that makes toml++ (TOMLKit's parser) abort instead of reporting an error, before the
/// text reaches it.
///
/// toml++ 3.4.0 checks some of its parser's preconditions with assertions, and a few malformed inputs break them
/// (upstream's fix came after the release TOMLKit 0.6.0 bundles): the process aborts. Two shapes are known, both
/// found by `scripts/fuzz toml`:
/// - a `[` or `[[` table header followed by anything but a bare-key character, a quote or `]` (`[#x]`, `[=]`,
///   `[é]`, `[[[`, a `[` at the end of a line);
/// - inside an array, a `}` (or U+0085, U+2028, U+2029) where a value or `]` is expected (`x = [1, }`).
/// This scanner walks the text the way the grammar does — basic and literal strings (single- and multi-line),
/// comments, and the nesting of arrays and inline tables — so that a `[` counts as a header only at the start of a
/// statement. Valid TOML 1.0 has neither shape, so the guard only turns an abort into an error.
enum TOMLParserGuard {
    /// The first place that would abort toml++: its 1-based line and what is wrong there; nil when there is none.
    static func firstAbort(in text: String) -> (line: Int, problem: String)? {
        // Unicode scalars, not Characters: a combining mark after '[' would fold it into one grapheme.
        let chars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var nesting: [Unicode.Scalar] = []  // "[" for an array value, "{" for an inline table
        var statementStart = true
        func isBareKey(_ c: Unicode.Scalar) -> Bool {
            c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-")
        }
        func isLineBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" }
        func describe(_ c: Unicode.Scalar?) -> String {
            guard let c, !isLineBreak(c) else { return "the end of the line" }
            let properties = c.properties
            let visible =
                c == " "
                || !(properties.isWhitespace || [.control, .format, .unassigned, .nonspacingMark].contains(properties.generalCategory))
            return visible ? "'\(c)'" : "U+" + String(c.value, radix: 16, uppercase: true)
        }
        func skipString(quote: Unicode.Scalar) {
            let triple = index + 2 < chars.count && chars[index + 1] == quote && chars[index + 2] == quote
            index += triple ? 3 : 1
            while index < chars.count {
                let c = chars[index]
                if c == "\\" && quote == "\"" {
                    index += 2
                    continue
                }
                if isLineBreak(c) && !triple { return }
                if c == "\n" { line += 1 }
                if c == quote {
                    if !triple {
                        index += 1
                        return
                    }
                    if index + 2 < chars.count && chars[index + 1] == quote && chars[index + 2] == quote {
                        index += 3
                        // Up to two more quotes may close the string ("""a"""" ends with a quote inside).
                        while index < chars.count && chars[index] == quote { index += 1 }
                        return
                    }
                }
                index += 1
            }
        }
        while index < chars.count {
            let c = chars[index]
            switch c {
            case "\n":
                line += 1
                if nesting.isEmpty { statementStart = true }
                index += 1
            case " ", "\t", "\r":
                index += 1
            case "#":
                while index < chars.count && !isLineBreak(chars[index]) { index += 1 }
            case "\"", "'":
                statementStart = false
                skipString(quote: c)
            case "[" where nesting.isEmpty && statementStart:
                index += 1
                if index < chars.count && chars[index] == "[" { index += 1 }
                while index < chars.count && (chars[index] == " " || chars[index] == "\t") { index += 1 }
                let next = index < chars.count ? chars[index] : nil
                guard let next, isBareKey(next) || next == "\"" || next == "'" || next == "]" else {
                    return (line, "a [table] header must start with a key name, found \(describe(next))")
                }
                // The rest of the header line: quoted key parts may hold brackets.
                while index < chars.count && !isLineBreak(chars[index]) && chars[index] != "#" {
                    if chars[index] == "\"" || chars[index] == "'" {
                        skipString(quote: chars[index])
                    } else {
                        index += 1
                    }
                }
            case "[", "{":
                nesting.append(c)
                statementStart = false
                index += 1
            case "]", "}":
                if c == "}" && nesting.last == "[" {
                    return (line, "'}' inside an array, where a value or ']' belongs")
                }
                _ = nesting.popLast()
                index += 1
            case "\u{85}", "\u{2028}", "\u{2029}":
                return (line, "\(describe(c)) outside a string (TOML breaks lines with \\n or \\r\\n only)")
            default:
                statementStart = false
                index += 1
            }
        }
        return nil
    }
}
