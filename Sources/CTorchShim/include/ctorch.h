// CTorchShim: a flat C API over libtorch's C++ core (ATen, autograd, optim, serialize), in the style of
// tch-rs's C layer. Every tensor is an opaque handle owned by the caller and released with ctorch_free.
// No function throws or aborts: a failure returns NULL (for handles) or a non-zero status, and
// ctorch_last_error() tells why (thread-local, valid until the next failing call on the same thread).
#ifndef CTORCH_H
#define CTORCH_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ctorch_tensor_s *ctorch_tensor;
typedef struct ctorch_optimizer_s *ctorch_optimizer;
typedef struct ctorch_generator_s *ctorch_generator;

/// The message of the last failure on this thread ("" when none).
const char *ctorch_last_error(void);

// ---- global state ----
/// Seeds libtorch's default CPU generator (parameter init, dropout, randn).
void ctorch_manual_seed(uint64_t seed);
/// Sets the intra-op thread count; returns 0 on success.
int ctorch_set_num_threads(int threads);
int ctorch_get_num_threads(void);
/// Enables or disables gradient recording on this thread; returns the previous setting (1 or 0).
int ctorch_set_grad_enabled(int enabled);

// ---- devices ----
/// CUDA devices the linked libtorch can use: 0 for a CPU-only build (Debian's) or a machine without a GPU.
int ctorch_cuda_device_count(void);
/// Sets where this thread's new tensors (ctorch_from_floats, ctorch_from_longs, ctorch_fill) live: -1 the CPU,
/// k >= 0 CUDA device k. Random fills are drawn on the CPU and then moved, so a seed gives the same values on
/// every device. Returns 0 on success (a CUDA device that is not there is an error).
int ctorch_set_default_device(int device);
/// This thread's device for new tensors (-1: the CPU).
int ctorch_default_device(void);
/// The device a tensor lives on (-1: the CPU, k: CUDA device k; -2 for a NULL handle).
int ctorch_device(ctorch_tensor t);
/// Moves a tensor's data to `device` in place, keeping it a leaf with its requires-grad flag (parameters before
/// their optimizer is made, or back to the CPU after training). Returns 0 on success.
int ctorch_move_(ctorch_tensor t, int device);

// ---- mixed precision ----
/// Autocast on this thread for the device type of its default device (set_default_device): 0 off (float32),
/// 1 bfloat16, 2 float16 (CUDA only). Matrix products and the other ops of libtorch's lower-precision list run in
/// that type; parameters stay float32. Autocast's cast cache is turned off, since parameters change between
/// steps. Stores the previous code in `previous` (may be NULL). Returns 0 on success.
int ctorch_set_autocast(int precision, int *previous);
/// This thread's autocast code (as set_autocast) for the device type of its default device.
int ctorch_autocast(void);
/// Divides every defined gradient of `parameters` by the loss scale (multiplies by `inverse_scale`) in place and
/// sets `nonfinite` to 1 when any element of any of them is infinite or NaN, else 0 (float16 grad scaling).
int ctorch_unscale_grads(const ctorch_tensor *parameters, int count, double inverse_scale, int *nonfinite);

/// A CPU random generator of its own, seeded; NULL arguments below mean libtorch's default generator.
ctorch_generator ctorch_generator_new(uint64_t seed);
void ctorch_generator_free(ctorch_generator g);

// ---- creation, inspection, release ----
/// A float32 tensor copied from `data` (row-major, product of `shape` values).
ctorch_tensor ctorch_from_floats(const float *data, const int64_t *shape, int ndim);
/// An int64 tensor copied from `data` (indices for index_select / gather / cross entropy).
ctorch_tensor ctorch_from_longs(const int64_t *data, const int64_t *shape, int ndim);
/// A float32 tensor: kind 0 zeros, 1 ones, 2 normal(0, a), 3 uniform(a, b), drawn from `generator`.
ctorch_tensor ctorch_fill(int kind, const int64_t *shape, int ndim, double a, double b, ctorch_generator generator);
void ctorch_free(ctorch_tensor t);
int ctorch_ndim(ctorch_tensor t);
/// Writes the shape into `out` (room for ndim values); returns 0 on success.
int ctorch_shape(ctorch_tensor t, int64_t *out);
int64_t ctorch_numel(ctorch_tensor t);
/// Copies the values (converted to float32, contiguous) into `out`, which has room for `count` values.
int ctorch_to_floats(ctorch_tensor t, float *out, int64_t count);
int ctorch_requires_grad(ctorch_tensor t);
int ctorch_set_requires_grad(ctorch_tensor t, int requires);
/// The accumulated gradient, or NULL with an empty error when there is none.
ctorch_tensor ctorch_grad(ctorch_tensor t);
ctorch_tensor ctorch_detach(ctorch_tensor t);
ctorch_tensor ctorch_clone(ctorch_tensor t);
/// Copies `source` into `target` in place without recording gradients (shapes must match).
int ctorch_copy_(ctorch_tensor target, ctorch_tensor source);

// ---- operations (each returns a new handle, or NULL on failure) ----
enum ctorch_binary_op { CTORCH_ADD = 0, CTORCH_SUB, CTORCH_MUL, CTORCH_DIV, CTORCH_MATMUL, CTORCH_MAXIMUM, CTORCH_MINIMUM };
ctorch_tensor ctorch_binary(int op, ctorch_tensor a, ctorch_tensor b);
enum ctorch_unary_op {
    CTORCH_NEG = 0, CTORCH_EXP, CTORCH_LOG, CTORCH_SQRT, CTORCH_ABS, CTORCH_SQUARE, CTORCH_RELU, CTORCH_GELU,
    CTORCH_TANH, CTORCH_SIGMOID, CTORCH_SOFTPLUS, CTORCH_SILU, CTORCH_FLOAT32
};
ctorch_tensor ctorch_unary(int op, ctorch_tensor a);
/// a * scale + shift, elementwise.
ctorch_tensor ctorch_affine(ctorch_tensor a, double scale, double shift);
ctorch_tensor ctorch_pow(ctorch_tensor a, double exponent);
ctorch_tensor ctorch_clamp(ctorch_tensor a, double low, double high);
enum ctorch_reduce_op { CTORCH_SUM = 0, CTORCH_MEAN, CTORCH_LOGSUMEXP, CTORCH_MAX, CTORCH_VAR };
/// Reduces over `dim` (or over everything when all != 0; logsumexp then flattens first).
ctorch_tensor ctorch_reduce(int op, ctorch_tensor a, int64_t dim, int keepdim, int all);
ctorch_tensor ctorch_reshape(ctorch_tensor a, const int64_t *shape, int ndim);
ctorch_tensor ctorch_transpose(ctorch_tensor a, int64_t dim0, int64_t dim1);
/// Softmax (log != 0: log-softmax) along `dim`.
ctorch_tensor ctorch_softmax(ctorch_tensor a, int64_t dim, int log);
/// Layer norm over the last `normalized` dimensions of size given by the tail of a's shape; weight and
/// bias may be NULL.
ctorch_tensor ctorch_layer_norm(ctorch_tensor a, int normalized, ctorch_tensor weight, ctorch_tensor bias, double eps);
/// Inverted dropout with probability p when train != 0 (identity otherwise), masks drawn from `generator`.
ctorch_tensor ctorch_dropout(ctorch_tensor a, double p, int train, ctorch_generator generator);
/// softmax(q kᵀ / sqrt(d) + mask) v over the last two dimensions; mask may be NULL (additive).
ctorch_tensor ctorch_attention(ctorch_tensor q, ctorch_tensor k, ctorch_tensor v, ctorch_tensor mask);
ctorch_tensor ctorch_cat(const ctorch_tensor *tensors, int count, int64_t dim);
ctorch_tensor ctorch_index_select(ctorch_tensor a, int64_t dim, ctorch_tensor index);
ctorch_tensor ctorch_gather(ctorch_tensor a, int64_t dim, ctorch_tensor index);
/// The values of `a` sorted ascending along `dim` (stable; gradients flow back through the permutation).
ctorch_tensor ctorch_sort(ctorch_tensor a, int64_t dim);
/// Mean cross entropy of logits (n × classes) against int64 class indices (n).
ctorch_tensor ctorch_cross_entropy(ctorch_tensor logits, ctorch_tensor targets);
/// Mean squared error.
ctorch_tensor ctorch_mse(ctorch_tensor prediction, ctorch_tensor target);
/// Mean Gaussian negative log-likelihood of target given mean and variance (as torch.nn.GaussianNLLLoss).
ctorch_tensor ctorch_gaussian_nll(ctorch_tensor mean, ctorch_tensor target, ctorch_tensor variance);

// ---- autograd ----
/// Backpropagates from a scalar.
int ctorch_backward(ctorch_tensor loss);

// ---- optimizers ----
/// Adam (decoupled == 0: L2 added to the gradient) or AdamW (decoupled weight decay) over `count` parameters.
ctorch_optimizer ctorch_adam_new(const ctorch_tensor *parameters, int count, double lr, double beta1, double beta2,
                                 double eps, double weight_decay, int decoupled);
void ctorch_optimizer_free(ctorch_optimizer o);
int ctorch_optimizer_zero_grad(ctorch_optimizer o);
int ctorch_optimizer_step(ctorch_optimizer o);
int ctorch_optimizer_set_lr(ctorch_optimizer o, double lr);
/// Scales the gradients of `parameters` so their joint L2 norm is at most max_norm; writes the norm before
/// clipping to `total_norm` (may be NULL).
int ctorch_clip_grad_norm(const ctorch_tensor *parameters, int count, double max_norm, double *total_norm);

// ---- serialization ----
/// Writes named tensors to `path` in libtorch's archive format (the caller renames it into place).
int ctorch_save(const char *path, const char *const *names, const ctorch_tensor *tensors, int count);
/// Reads the named tensors from `path` into the given ones (shapes must match).
int ctorch_load(const char *path, const char *const *names, const ctorch_tensor *tensors, int count);

#ifdef __cplusplus
}
#endif
#endif
