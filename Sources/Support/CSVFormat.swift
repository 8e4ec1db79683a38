import Foundation

/// Text formatting of CSV cells the way polars `write_csv` does: shortest round-trip decimals, `inf`, `-inf`,
/// `NaN`, empty for null, exponents without `+` or leading zeros, and quotes only where needed.
public enum CSVFormat {
    /// A float64 cell.
    public static func double(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        let a = abs(x)
        if a == 0 || (a >= 1e-4 && a < 16_777_216) { return x.description }  // never exponential
        return tidyExponent(x.description)
    }

    /// A float32 cell.
    public static func float(_ x: Float) -> String {
        if x.isNaN { return "NaN" }
        let a = abs(x)
        if a == 0 || (a >= 1e-4 && a < 16_777_216) { return x.description }  // never exponential
        return tidyExponent(x.description)
    }

    /// Appends a float64 cell to `sink` without building a String on the common path.
    @inline(__always)
    public static func append(_ x: Double, to sink: inout CSVBytes) {
        let a = abs(x)
        if a == 0 || (a >= 1e-4 && a < 16_777_216) || a == .infinity { x.write(to: &sink) } else { sink.write(double(x)) }
    }

    /// Appends a float32 cell to `sink` without building a String on the common path.
    @inline(__always)
    public static func append(_ x: Float, to sink: inout CSVBytes) {
        let a = abs(x)
        if a == 0 || (a >= 1e-4 && a < 16_777_216) || a == .infinity { x.write(to: &sink) } else { sink.write(float(x)) }
    }

    /// An optional float64 cell (nil = null = empty).
    public static func optional(_ x: Double?) -> String { x.map(double) ?? "" }

    /// A text cell, quoted when it holds a comma, quote or line break.
    public static func text(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "1e-05" → "1e-5", "1e+16" → "1e16".
    private static func tidyExponent(_ s: String) -> String {
        guard let e = s.firstIndex(of: "e") else { return s }
        var exponent = s[s.index(after: e)...]
        var sign = ""
        if exponent.first == "-" {
            sign = "-"; exponent = exponent.dropFirst()
        } else if exponent.first == "+" {
            exponent = exponent.dropFirst()
        }
        while exponent.count > 1 && exponent.first == "0" { exponent = exponent.dropFirst() }
        return String(s[..<e]) + "e" + sign + exponent
    }
}

/// A byte buffer that Swift's number printing writes into directly (through `TextOutputStream._writeASCII`,
/// so shortest-decimal output costs no String allocation).
public struct CSVBytes: TextOutputStream {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

    public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

    @inline(__always) public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    @inline(__always) public mutating func append(_ run: [UInt8]) { bytes.append(contentsOf: run) }
}
