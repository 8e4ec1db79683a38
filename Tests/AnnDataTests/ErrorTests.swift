import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// Every bad-input class gets an error that names the file and the field.
final class ErrorTests: XCTestCase {
    func error(_ body: () throws -> Void) -> AnnDataError? {
        do { try body() } catch let e as AnnDataError { return e } catch { XCTFail("unexpected \(error)") }
        return nil
    }

    func testMissingFile() {
        let e = error { _ = try AnnData.read(path: "/nonexistent/data.h5ad") }
        XCTAssertEqual(e, .fileNotFound(path: "/nonexistent/data.h5ad"))
        XCTAssertTrue(e!.description.contains("/nonexistent/data.h5ad"))
    }

    func testNotHDF5() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("table.h5ad").path
        try "gene,value\nA,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(error { _ = try AnnData.read(path: path) }, .notHDF5(path: path))
    }

    func testHDF5ButNotAnnData() {
        let path = fixtureDirectory.appendingPathComponent("not_anndata.h5").path
        guard case .notAnnData(let p, let reason)? = error({ _ = try AnnData.read(path: path) }) else {
            return XCTFail("expected notAnnData")
        }
        XCTAssertEqual(p, path)
        XCTAssertTrue(reason.contains("measurements"), "lists what the file holds: \(reason)")
    }

    func testUnsupportedEncodingIsNamed() {
        let path = fixtureDirectory.appendingPathComponent("unsupported_x.h5ad").path
        let e = error { _ = try AnnData.read(path: path) }
        XCTAssertEqual(e, .unsupportedEncoding(path: path, field: "X", encoding: "coo_matrix"))
        XCTAssertTrue(e!.description.contains("'X'") && e!.description.contains("coo_matrix"))
    }

    func testTruncatedFileIsAnErrorNotACrash() throws {
        let source = fixtureDirectory.appendingPathComponent("csr_gzip.h5ad")
        let bytes = try Data(contentsOf: source)
        let directory = try temporaryDirectory(self)
        for fraction in [0.1, 0.5, 0.9] {
            let path = directory.appendingPathComponent("cut-\(fraction).h5ad").path
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            let e = error { _ = try AnnData.read(path: path, options: ReadOptions(layers: ["counts"])) }
            XCTAssertNotNil(e, "fraction \(fraction)")
            XCTAssertTrue(e?.description.contains(path) ?? false, "names the file: \(String(describing: e))")
        }
    }

    func testCorruptedMatrixArraysAreCaughtNotCrashed() throws {
        // Byte flips inside the raw data of X/indices, X/indptr and the categorical codes: our validation must turn
        // every out-of-range index, non-monotone pointer or bad code into an error naming the field.
        // (Flips in HDF5's own metadata are libhdf5's to detect; 1.10.8 can crash on a corrupted global heap.)
        let directory = try temporaryDirectory(self)
        let clean = directory.appendingPathComponent("clean.h5ad").path
        try RoundTripTests.randomObject(seed: 11).write(to: clean)
        let file = try H5ADFile(path: clean)
        let targets = try ["X/indices", "X/indptr", "obs/perturbation/codes"].map { name -> (String, Range<Int>) in
            let parts = name.split(separator: "/").map(String.init)
            var group = file.root
            for part in parts.dropLast() { group = try group.group(part) }
            return (name, try XCTUnwrap(try group.dataset(parts.last!).storageRange(), name))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clean))
        let path = directory.appendingPathComponent("flipped.h5ad").path
        var state: UInt64 = 7
        var errors: [String: Int] = [:]
        for round in 0..<90 {
            let (name, range) = targets[round % targets.count]
            var copy = bytes
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1
                copy[range.lowerBound + Int(state >> 33) % range.count] ^= 0x7F
            }
            try copy.write(to: URL(fileURLWithPath: path))
            do {
                _ = try AnnData.read(path: path)
            } catch let e as AnnDataError {
                XCTAssertTrue(e.description.contains(path), "\(e)")
                errors[name, default: 0] += 1
            }
        }
        for (name, _) in targets { XCTAssertGreaterThan(errors[name] ?? 0, 0, "corrupting \(name) is detected") }
    }

    /// One-byte flips in HDF5's own metadata (object headers, B-trees, heaps) that crash libhdf5 1.10.8 itself —
    /// a segfault or an abort inside the library — or make a header claim an impossible size. Found by flipping
    /// random bytes of this fixture and keeping the ones that killed `perturb inspect` with PERTURB_TRUST_HDF5=1.
    /// Each must end as an error naming the file, never a crash of this process. Whether libhdf5's wild read
    /// faults depends on the process's memory layout, so a flip may instead surface as libhdf5's own error; at
    /// least one of the crashing flips must be reported as a crash caught by the isolated check.
    func testMetadataCorruptionThatCrashesLibHDF5IsAnError() throws {
        // The helper is built beside the tests; without it files would be read unchecked.
        XCTAssertNotNil(HDF5Isolation.helper, "perturb-hdf5-check not found beside the test executable")
        let bytes = try Data(contentsOf: fixtureDirectory.appendingPathComponent("csr_gzip.h5ad"))
        let directory = try temporaryDirectory(self)
        let cases: [(offset: Int, value: UInt8, libhdf5: Bool)] = [
            (29799, 0xA4, true),  // SIGSEGV in libhdf5 reading var's attributes (every run so far)
            (16741, 0xD3, true),  // SIGSEGV in libhdf5 reading obs's column-order (most runs)
            (13396, 0x9D, false),  // X/indptr claims 674,309,865,503 entries
        ]
        var caught = 0
        for (offset, value, libhdf5) in cases {
            var copy = bytes
            XCTAssertNotEqual(copy[offset], value)
            copy[offset] = value
            let path = directory.appendingPathComponent("flip-\(offset).h5ad").path
            try copy.write(to: URL(fileURLWithPath: path))
            let e = error { _ = try AnnData.read(path: path, options: ReadOptions(layers: ["counts"])) }
            XCTAssertTrue(e?.description.hasPrefix(path + ": ") ?? false, "offset \(offset): \(String(describing: e))")
            if libhdf5, case .corrupt(_, _, let reason)? = e {
                XCTAssertTrue(reason.contains("libhdf5 crashed (SIGSEGV)"), reason)
                caught += 1
            } else if !libhdf5 {
                guard case .malformed(_, "X/indptr", let reason)? = e else { return XCTFail("offset \(offset): \(String(describing: e))") }
                XCTAssertTrue(reason.contains("674309865503"), reason)
            }
        }
        XCTAssertGreaterThan(caught, 0, "no libhdf5 crash was caught by the isolated check")
    }

    /// A file on which libhdf5 1.10.8 loops forever (reading the root group's attributes), found by `scripts/fuzz
    /// h5ad` from a mutated seed: the isolated check kills the child when it stops making progress.
    func testALibHDF5LoopIsACorruptFileNotAHang() throws {
        let path = fixtureDirectory.deletingLastPathComponent().appendingPathComponent("corrupt/loop.h5ad").path
        setenv("PERTURB_HDF5_STALL_SECONDS", "2", 1)
        defer { unsetenv("PERTURB_HDF5_STALL_SECONDS") }
        let started = Date()
        guard case .corrupt(path, _, let reason)? = error({ _ = try AnnData.read(path: path) }) else {
            return XCTFail("expected a corrupt-file error")
        }
        XCTAssertTrue(reason.contains("libhdf5 made no progress for 2 s"), reason)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
    }

    /// A string whose stored length says 3.7 GB in a 48 KB file (scripts/reference/make_corrupt_vlen_fixture.py):
    /// libhdf5 allocates and fills that much before reading it. The check kills the helper past its memory bound.
    func testACorruptStringLengthIsACorruptFileNotGigabytes() throws {
        let path = fixtureDirectory.deletingLastPathComponent().appendingPathComponent("corrupt/vlen-length.h5ad").path
        setenv("PERTURB_HDF5_MEMORY_MB", "256", 1)
        defer { unsetenv("PERTURB_HDF5_MEMORY_MB") }
        guard case .corrupt(path, "obs/_index", let reason)? = error({ _ = try AnnData.read(path: path) }) else {
            return XCTFail("expected a corrupt-file error")
        }
        XCTAssertTrue(reason.contains("libhdf5 needed over 256 MiB for a file of 48869 bytes"), reason)
        XCTAssertEqual(HDF5Isolation.memoryBound(fileSize: 1000), 256 << 20 + 4000)
    }

    /// Issue 26: two categories with the same string were merged silently; anndata refuses the file.
    func testRepeatedCategoriesAreRefused() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("repeated.h5ad").path
        var obs = DataFrame(index: ["c0", "c1", "c2"])
        try obs.setColumn(
            "target_gene", .categorical(Categorical(uncheckedCodes: [0, 1, 2], categories: ["A", "B", "A"], ordered: false)))
        try AnnData(X: CSRMatrix(zeros: 3, columns: 2), obs: obs, variables: DataFrame(index: ["g0", "g1"])).write(to: path)
        let e = error { _ = try AnnData.read(path: path) }
        XCTAssertEqual(
            e?.description,
            "\(path): field 'obs/target_gene' is malformed: category 'A' appears twice (categories must be distinct, as pandas requires)")
    }

    func testMissingLayerListsAvailable() {
        let path = fixtureDirectory.appendingPathComponent("csr_gzip.h5ad").path
        let e = error { _ = try AnnData.read(path: path, options: ReadOptions(matrix: .layer("spliced"))) }
        XCTAssertEqual(e, .missingField(path: path, field: "layers/spliced", available: ["counts"]))
    }

    func testWriteIntoMissingDirectoryLeavesNothing() {
        let data = AnnData(X: CSRMatrix(zeros: 1, columns: 1), obs: DataFrame(index: ["a"]), variables: DataFrame(index: ["g"]))
        let e = error { try data.write(to: "/nonexistent-dir/out.h5ad") }
        guard case .writeFailed(let path, _)? = e else { return XCTFail("expected writeFailed") }
        XCTAssertEqual(path, "/nonexistent-dir/out.h5ad")
    }

    func testFailedWriteKeepsPreviousFileAndLeavesNoTemporary() throws {
        let directory = try temporaryDirectory(self)
        let path = directory.appendingPathComponent("result.h5ad").path
        let good = AnnData(X: CSRMatrix(zeros: 2, columns: 1), obs: DataFrame(index: ["a", "b"]), variables: DataFrame(index: ["g"]))
        try good.write(to: path)
        // Two columns with the same name cannot exist in HDF5: the index name clashes with a column.
        var obs = DataFrame(index: ["a", "b"], indexName: "cell")
        try obs.setColumn("x", .string(["1", "2"]))
        try obs.setColumn("x/y", .string(["1", "2"]))  // '/' makes HDF5 look for a group 'x', which is a dataset
        let bad = AnnData(X: CSRMatrix(zeros: 2, columns: 1), obs: obs, variables: DataFrame(index: ["g"]))
        XCTAssertNotNil(error { try bad.write(to: path) })
        XCTAssertEqual(try AnnData.read(path: path).obs.columnNames, [], "the earlier file is intact")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}

final class LZFTests: XCTestCase {
    /// Decodes `compressed` into a buffer of `capacity` bytes: (bytes written or nil, output too small, output).
    func decode(_ compressed: [UInt8], capacity: Int) -> (Int?, Bool, [UInt8]) {
        var output = [UInt8](repeating: 0, count: capacity)
        var tooSmall = false
        let written = compressed.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { LZFFilter.decompress(input, into: $0, tooSmall: &tooSmall) }
        }
        return (written, tooSmall, output)
    }

    func testLiteralsAndBackReferences() {
        // "abcabcabcX": literal run "abc" (ctrl 2), back-reference length 6 at distance 3
        // (ctrl = (6-2)<<5 | 0 = 0x80, offset byte 2), literal "X" (ctrl 0).
        let (written, _, output) = decode([2, 0x61, 0x62, 0x63, 0x80, 2, 0, 0x58], capacity: 10)
        XCTAssertEqual(written, 10)
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "abcabcabcX")
    }

    func testShortOutputAndBadReferenceAreReported() {
        let (none, tooSmall, _) = decode([2, 0x61, 0x62, 0x63, 0x80, 2, 0, 0x58], capacity: 5)
        XCTAssertNil(none)
        XCTAssertTrue(tooSmall)
        let (bad, notTooSmall, _) = decode([0x80, 9], capacity: 16)  // refers before the start of the output
        XCTAssertNil(bad)
        XCTAssertFalse(notTooSmall)
    }
}
