import Foundation

/// A parsed CSV file: header and rows of raw cells (RFC 4180 quoting).
public struct CSVTable: Sendable {
    /// Column names.
    public var header: [String]
    /// Rows of cells.
    public var rows: [[String]]
    /// Where it was read from (for messages).
    public var path: String

    /// Reads and parses `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError.unreadable(path: path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVError.unreadable(path: path, reason: "not UTF-8 text")
        }
        var records = CSVTable.parse(text)
        guard !records.isEmpty else { throw CSVError.unreadable(path: path, reason: "empty file, expected a CSV header") }
        header = records.removeFirst()
        rows = records
        self.path = path
        for (i, row) in rows.enumerated() where row.count != header.count {
            throw CSVError.unreadable(path: path, reason: "line \(i + 2) has \(row.count) fields, the header has \(header.count)")
        }
    }

    /// Index of column `name`, or an error naming the file and the columns present.
    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw CSVError.missingColumn(path: path, field: name, available: header)
        }
        return i
    }

    /// Parses CSV text into records.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var field = [UInt8](), record: [String] = []
        var quoted = false, i = 0
        let bytes = Array(text.utf8)
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 1 } else { quoted = false }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField(); records.append(record); record = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { endField(); records.append(record) }
        return records
    }
}

/// A CSV file that cannot be used: each names the file and what was expected.
public enum CSVError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case missingColumn(path: String, field: String, available: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        case .missingColumn(let path, let field, let available):
            return "\(path): no column '\(field)'; present: \(available.prefix(20).joined(separator: ", "))"
        }
    }
}
