import AnnData
import Foundation

// `perturb-hdf5-check __hdf5-walk FILE`: walks FILE with libhdf5 and exits 0, printing each object's path as it
// goes; a crash or hang is the caller's (`HDF5Isolation`) finding. Started by PerturbKit, not by users.
HDF5Isolation.serveWalkRequest()
FileHandle.standardError.write(Data("usage: perturb-hdf5-check \(HDF5Isolation.walkArgument) FILE.h5ad\n".utf8))
exit(2)
