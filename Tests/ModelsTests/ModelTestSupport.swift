import Foundation
import LinearAlgebra
import PerturbData
@testable import Models

/// A dataset from dense rows (log scale), one label per row.
func dataset(
    _ rows: [[Float]], labels: [String], genes: [String]? = nil, batches: [String]? = nil,
    control: String = "ctrl"
) -> PerturbationDataset {
    let g = rows[0].count
    let matrix = CSRMatrix(dense: Matrix(rowArrays: rows))
    return PerturbationDataset(
        expression: matrix, genes: genes ?? (0..<g).map { "g\($0)" },
        cellIDs: rows.indices.map { "c\($0)" }, perturbations: labels, batches: batches,
        controlLabel: control, scale: .log1p)
}

/// A small simulated screen on the log scale, cut by a seeded split (combo by default).
func simulatedParts(
    singles: Int = 16, doubles: Int = 6, genes: Int = 120, cellsPer: Int = 30, batches: Int = 1, moduleSize: Int = 12,
    cellTypes: Int = 1, strategy: SplitStrategy = .combo(unseenSingles: 0.25, val: 0.15, test: 0.3), seed: UInt64 = 0
) throws -> SplitParts {
    var config = SimulationConfig()
    config.perturbations = singles
    config.doubles = doubles
    config.genes = genes
    config.cellsPerPerturbation = cellsPer
    config.controlCells = 150
    config.modules = 8
    config.moduleSize = moduleSize
    config.batches = batches
    config.cellTypes = cellTypes
    config.seed = 3
    let sim = try Simulator.run(config, threads: 2).withLog1pX()
    let columns = DatasetColumns(cellType: cellTypes > 1 ? "cell_type" : nil)
    let cells = try SplitCells(obs: sim.data.obs, columns: columns, path: "sim")
    let split = try Split.make(cells, strategy: strategy, seed: seed).hashed()
    return try SplitParts(data: sim.data, path: "sim", split: split)
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "perturbkit-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
