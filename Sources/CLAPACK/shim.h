#ifndef PERTURBKIT_CLAPACK_SHIM_H
#define PERTURBKIT_CLAPACK_SHIM_H
// OpenBLAS's CBLAS and the reference LAPACKE interface (Debian libopenblas-dev, liblapacke-dev).
#include <cblas.h>
#include <lapacke.h>
#endif
