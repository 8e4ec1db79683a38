@_exported import AnnData
@_exported import LinearAlgebra
@_exported import Metrics
@_exported import PerturbData
@_exported import Statistics
@_exported import Benchmark
@_exported import Models
@_exported import Neural
