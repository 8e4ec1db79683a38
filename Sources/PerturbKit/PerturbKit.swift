@_exported import AnnData
@_exported import LinearAlgebra
@_exported import PerturbData
