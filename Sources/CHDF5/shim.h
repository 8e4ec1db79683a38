#ifndef PERTURBKIT_CHDF5_SHIM_H
#define PERTURBKIT_CHDF5_SHIM_H
// The HDF5 C API, plus functions for the predefined type identifiers, which hdf5.h exposes only as
// macros over global variables (H5T_NATIVE_FLOAT expands to `(H5OPEN H5T_NATIVE_FLOAT_g)`) that Swift cannot import.
#include <hdf5.h>

static inline hid_t pk_h5t_native_int8(void)    { return H5T_NATIVE_INT8; }
static inline hid_t pk_h5t_native_uint8(void)   { return H5T_NATIVE_UINT8; }
static inline hid_t pk_h5t_native_int16(void)   { return H5T_NATIVE_INT16; }
static inline hid_t pk_h5t_native_int32(void)   { return H5T_NATIVE_INT32; }
static inline hid_t pk_h5t_native_int64(void)   { return H5T_NATIVE_INT64; }
static inline hid_t pk_h5t_native_uint64(void)  { return H5T_NATIVE_UINT64; }
static inline hid_t pk_h5t_native_float(void)   { return H5T_NATIVE_FLOAT; }
static inline hid_t pk_h5t_native_double(void)  { return H5T_NATIVE_DOUBLE; }
static inline hid_t pk_h5t_c_s1(void)           { return H5T_C_S1; }
static inline hid_t pk_h5p_file_access(void)    { return H5P_FILE_ACCESS; }
static inline hid_t pk_h5p_file_create(void)    { return H5P_FILE_CREATE; }
static inline hid_t pk_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t pk_h5p_link_create(void)    { return H5P_LINK_CREATE; }
static inline hid_t pk_h5p_group_create(void)   { return H5P_GROUP_CREATE; }

static inline unsigned pk_h5f_acc_rdonly(void)  { return H5F_ACC_RDONLY; }
static inline unsigned pk_h5f_acc_trunc(void)   { return H5F_ACC_TRUNC; }

/// Silences HDF5's automatic error printing (errors are turned into Swift errors instead).
static inline void pk_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Frees the strings H5Dread/H5Aread allocated for a variable-length string buffer.
static inline herr_t pk_h5_reclaim_vlen(hid_t mem_type, hid_t space, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(mem_type, space, H5P_DEFAULT, buf);
#else
    return H5Dvlen_reclaim(mem_type, space, H5P_DEFAULT, buf);
#endif
}

/// Opens the object that attribute `name` of `obj` refers to when it holds one object reference (anndata 0.7 points
/// a categorical column to its categories this way); returns its id, or -1 when the attribute is absent, holds no
/// single object reference, or the reference leads nowhere.
static inline hid_t pk_h5_open_referenced(hid_t obj, const char *name) {
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0) return -1;
    hid_t target = -1;
    hid_t type = H5Aget_type(attr);
    hid_t space = H5Aget_space(attr);
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_REFERENCE && H5Tequal(type, H5T_STD_REF_OBJ) > 0 &&
        H5Sget_simple_extent_npoints(space) == 1) {
        hobj_ref_t reference;
        if (H5Aread(attr, H5T_STD_REF_OBJ, &reference) >= 0) {
            target = H5Rdereference2(obj, H5P_DEFAULT, H5R_OBJECT, &reference);
        }
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Aclose(attr);
    return target;
}

/// Number of attributes on an object, or -1 on failure.
static inline long long pk_h5_attribute_count(hid_t obj) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#endif
    return (long long)info.num_attrs;
}
#endif
