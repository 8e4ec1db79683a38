#ifndef PERTURBKIT_CXGBOOST_SHIM_H
#define PERTURBKIT_CXGBOOST_SHIM_H
// XGBoost's C API (Debian libxgboost-dev).
#include <xgboost/c_api.h>
#endif
