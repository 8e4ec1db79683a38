// The C API of ctorch.h over libtorch. Every entry point catches what libtorch throws (c10::Error and any
// std::exception) and turns it into a status plus a thread-local message, so no C++ exception crosses into Swift.
#include "ctorch.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/serialize.h>
#include <torch/version.h>
#include <torch/nn/utils/clip_grad.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

struct ctorch_tensor_s { at::Tensor value; };
struct ctorch_optimizer_s { std::unique_ptr<torch::optim::Optimizer> value; };
struct ctorch_generator_s { at::Generator value; };

namespace {
thread_local std::string last_error;

void fail(const char *what) { last_error = what; }

// Runs body, turning anything libtorch throws into the thread-local message; returns `failed` on a throw.
template <typename R, typename F>
R guarded(F &&body, R failed) {
    try {
        return body();
    } catch (const c10::Error &e) {
        fail(e.what_without_backtrace());
    } catch (const std::exception &e) {
        fail(e.what());
    } catch (...) {
        fail("unknown libtorch failure");
    }
    return failed;
}

template <typename F>
ctorch_tensor wrap(F &&body) {
    return guarded<ctorch_tensor>([&] { return new ctorch_tensor_s{body()}; }, nullptr);
}

template <typename F>
int status(F &&body) {
    return guarded<int>([&] {
        body();
        return 0;
    }, 1);
}

// Where this thread's new tensors live.
thread_local at::Device default_device = at::Device(at::kCPU);

at::Device device_of(int device) {
    if (device < 0) return at::Device(at::kCPU);
    auto count = static_cast<int>(torch::cuda::device_count());
    if (device >= count) {
        throw std::invalid_argument("CUDA device " + std::to_string(device) + " requested, but the linked libtorch sees " +
                                    std::to_string(count) + " CUDA device(s)");
    }
    return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device));
}

// A new CPU tensor moved to this thread's device.
at::Tensor placed(at::Tensor t) { return default_device.is_cpu() ? t : t.to(default_device); }

at::IntArrayRef dims(const int64_t *shape, int ndim) { return at::IntArrayRef(shape, static_cast<size_t>(ndim)); }

c10::optional<at::Generator> generator_of(ctorch_generator g) {
    if (g == nullptr) return c10::nullopt;
    return g->value;
}

const at::Tensor &ref(ctorch_tensor t) {
    if (t == nullptr) throw std::invalid_argument("null tensor handle");
    return t->value;
}

std::vector<at::Tensor> list(const ctorch_tensor *tensors, int count) {
    std::vector<at::Tensor> out;
    out.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; i++) out.push_back(ref(tensors[i]));
    return out;
}

// libtorch 2.4 replaced autocast's per-device functions (set_enabled, set_cpu_enabled, ...) by ones taking the
// device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(at::DeviceType type) { return at::autocast::is_autocast_enabled(type); }
at::ScalarType autocast_type(at::DeviceType type) { return at::autocast::get_autocast_dtype(type); }
void set_autocast(at::DeviceType type, bool enabled, at::ScalarType dtype) {
    if (enabled) at::autocast::set_autocast_dtype(type, dtype);
    at::autocast::set_autocast_enabled(type, enabled);
}
#else
bool autocast_enabled(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
at::ScalarType autocast_type(at::DeviceType type) {
    return type == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast(at::DeviceType type, bool enabled, at::ScalarType dtype) {
    if (type == at::kCUDA) {
        if (enabled) at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabled);
    } else {
        if (enabled) at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabled);
    }
}
#endif
}  // namespace

extern "C" {

const char *ctorch_last_error(void) { return last_error.c_str(); }

void ctorch_manual_seed(uint64_t seed) { at::manual_seed(seed); }

int ctorch_set_num_threads(int threads) {
    return status([&] {
        if (threads < 1) throw std::invalid_argument("thread count must be at least 1");
        at::set_num_threads(threads);
    });
}

int ctorch_get_num_threads(void) { return at::get_num_threads(); }

int ctorch_set_grad_enabled(int enabled) {
    bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled != 0);
    return previous ? 1 : 0;
}

int ctorch_cuda_device_count(void) {
    return guarded<int>([] { return static_cast<int>(torch::cuda::device_count()); }, 0);
}

int ctorch_set_default_device(int device) { return status([&] { default_device = device_of(device); }); }

int ctorch_default_device(void) { return default_device.is_cpu() ? -1 : static_cast<int>(default_device.index()); }

int ctorch_device(ctorch_tensor t) {
    if (t == nullptr) return -2;
    auto d = t->value.device();
    return d.is_cpu() ? -1 : static_cast<int>(d.index());
}

int ctorch_move_(ctorch_tensor t, int device) {
    return status([&] {
        at::NoGradGuard guard;
        auto target = device_of(device);
        if (ref(t).device() != target) t->value.set_data(ref(t).to(target));
    });
}

int ctorch_set_autocast(int precision, int *previous) {
    return status([&] {
        auto type = default_device.type();
        if (previous != nullptr) *previous = ctorch_autocast();
        switch (precision) {
        case 0: set_autocast(type, false, at::kFloat); break;
        case 1: set_autocast(type, true, at::kBFloat16); break;
        case 2:
            if (type != at::kCUDA) throw std::invalid_argument("float16 mixed precision runs on a CUDA device; on the CPU use bfloat16");
            set_autocast(type, true, at::kHalf);
            break;
        default: throw std::invalid_argument("unknown precision code " + std::to_string(precision));
        }
        at::autocast::set_autocast_cache_enabled(false);
    });
}

int ctorch_autocast(void) {
    auto type = default_device.type();
    return !autocast_enabled(type) ? 0 : autocast_type(type) == at::kBFloat16 ? 1 : 2;
}

int ctorch_unscale_grads(const ctorch_tensor *parameters, int count, double inverse_scale, int *nonfinite) {
    return status([&] {
        at::NoGradGuard guard;
        std::vector<at::Tensor> flags;
        for (auto &p : list(parameters, count)) {
            auto g = p.grad();
            if (!g.defined()) continue;
            g.mul_(inverse_scale);
            flags.push_back(at::isfinite(g).all());
        }
        // One device-to-host read for all of them.
        *nonfinite = flags.empty() || at::stack(flags).all().item<bool>() ? 0 : 1;
    });
}

ctorch_generator ctorch_generator_new(uint64_t seed) {
    return guarded<ctorch_generator>([&] { return new ctorch_generator_s{at::make_generator<at::CPUGeneratorImpl>(seed)}; },
                                     nullptr);
}

void ctorch_generator_free(ctorch_generator g) { delete g; }

ctorch_tensor ctorch_from_floats(const float *data, const int64_t *shape, int ndim) {
    return wrap([&] {
        return placed(at::from_blob(const_cast<float *>(data), dims(shape, ndim), at::kFloat).clone());
    });
}

ctorch_tensor ctorch_from_longs(const int64_t *data, const int64_t *shape, int ndim) {
    return wrap([&] {
        return placed(at::from_blob(const_cast<int64_t *>(data), dims(shape, ndim), at::kLong).clone());
    });
}

ctorch_tensor ctorch_fill(int kind, const int64_t *shape, int ndim, double a, double b, ctorch_generator generator) {
    return wrap([&] {
        auto options = at::TensorOptions().dtype(at::kFloat);
        auto gen = generator_of(generator);
        switch (kind) {
        case 0: return at::zeros(dims(shape, ndim), options.device(default_device));
        case 1: return at::ones(dims(shape, ndim), options.device(default_device));
        case 2: return placed(at::empty(dims(shape, ndim), options).normal_(0, a, gen));
        case 3: return placed(at::empty(dims(shape, ndim), options).uniform_(a, b, gen));
        default: throw std::invalid_argument("unknown fill kind " + std::to_string(kind));
        }
    });
}

void ctorch_free(ctorch_tensor t) { delete t; }

int ctorch_ndim(ctorch_tensor t) { return t == nullptr ? -1 : static_cast<int>(t->value.dim()); }

int ctorch_shape(ctorch_tensor t, int64_t *out) {
    return status([&] {
        auto sizes = ref(t).sizes();
        for (size_t i = 0; i < sizes.size(); i++) out[i] = sizes[i];
    });
}

int64_t ctorch_numel(ctorch_tensor t) { return t == nullptr ? -1 : t->value.numel(); }

int ctorch_to_floats(ctorch_tensor t, float *out, int64_t count) {
    return status([&] {
        at::Tensor v = ref(t).detach().to(at::kCPU).to(at::kFloat).contiguous();
        if (v.numel() != count) {
            throw std::invalid_argument("tensor has " + std::to_string(v.numel()) + " values, buffer has room for " +
                                        std::to_string(count));
        }
        std::memcpy(out, v.data_ptr<float>(), static_cast<size_t>(count) * sizeof(float));
    });
}

int ctorch_requires_grad(ctorch_tensor t) { return t != nullptr && t->value.requires_grad() ? 1 : 0; }

int ctorch_set_requires_grad(ctorch_tensor t, int requires) {
    return status([&] { t->value.set_requires_grad(requires != 0); });
}

ctorch_tensor ctorch_grad(ctorch_tensor t) {
    return guarded<ctorch_tensor>([&]() -> ctorch_tensor {
        at::Tensor g = ref(t).grad();
        if (!g.defined()) {
            fail("");
            return nullptr;
        }
        return new ctorch_tensor_s{g};
    }, nullptr);
}

ctorch_tensor ctorch_detach(ctorch_tensor t) { return wrap([&] { return ref(t).detach(); }); }

ctorch_tensor ctorch_clone(ctorch_tensor t) { return wrap([&] { return ref(t).clone(); }); }

int ctorch_copy_(ctorch_tensor target, ctorch_tensor source) {
    return status([&] {
        at::NoGradGuard guard;
        if (!ref(target).sizes().equals(ref(source).sizes())) {
            throw std::invalid_argument("copy: shapes " + std::string(c10::str(ref(target).sizes())) + " and " +
                                        std::string(c10::str(ref(source).sizes())) + " differ");
        }
        target->value.copy_(ref(source));
    });
}

ctorch_tensor ctorch_binary(int op, ctorch_tensor a, ctorch_tensor b) {
    return wrap([&] {
        const at::Tensor &x = ref(a), &y = ref(b);
        switch (op) {
        case CTORCH_ADD: return x + y;
        case CTORCH_SUB: return x - y;
        case CTORCH_MUL: return x * y;
        case CTORCH_DIV: return x / y;
        case CTORCH_MATMUL: return at::matmul(x, y);
        case CTORCH_MAXIMUM: return at::maximum(x, y);
        case CTORCH_MINIMUM: return at::minimum(x, y);
        default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
        }
    });
}

ctorch_tensor ctorch_unary(int op, ctorch_tensor a) {
    return wrap([&] {
        const at::Tensor &x = ref(a);
        switch (op) {
        case CTORCH_NEG: return -x;
        case CTORCH_EXP: return x.exp();
        case CTORCH_LOG: return x.log();
        case CTORCH_SQRT: return x.sqrt();
        case CTORCH_ABS: return x.abs();
        case CTORCH_SQUARE: return x * x;
        case CTORCH_RELU: return at::relu(x);
        case CTORCH_GELU: return at::gelu(x);
        case CTORCH_TANH: return x.tanh();
        case CTORCH_SIGMOID: return x.sigmoid();
        case CTORCH_SOFTPLUS: return at::softplus(x);
        case CTORCH_SILU: return at::silu(x);
        case CTORCH_FLOAT32: return x.to(at::kFloat);
        default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
        }
    });
}

ctorch_tensor ctorch_affine(ctorch_tensor a, double scale, double shift) {
    return wrap([&] { return ref(a) * scale + shift; });
}

ctorch_tensor ctorch_pow(ctorch_tensor a, double exponent) { return wrap([&] { return ref(a).pow(exponent); }); }

ctorch_tensor ctorch_clamp(ctorch_tensor a, double low, double high) {
    return wrap([&] { return ref(a).clamp(low, high); });
}

ctorch_tensor ctorch_reduce(int op, ctorch_tensor a, int64_t dim, int keepdim, int all) {
    return wrap([&] {
        const at::Tensor &x = ref(a);
        bool keep = keepdim != 0;
        switch (op) {
        case CTORCH_SUM: return all ? x.sum() : x.sum(dim, keep);
        case CTORCH_MEAN: return all ? x.mean() : x.mean(dim, keep);
        case CTORCH_LOGSUMEXP: return all ? x.flatten().logsumexp(0) : x.logsumexp(dim, keep);
        case CTORCH_MAX: return all ? x.max() : std::get<0>(x.max(dim, keep));
        case CTORCH_VAR: return all ? x.var(false) : x.var(dim, false, keep);
        default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
        }
    });
}

ctorch_tensor ctorch_reshape(ctorch_tensor a, const int64_t *shape, int ndim) {
    return wrap([&] { return ref(a).reshape(dims(shape, ndim)); });
}

ctorch_tensor ctorch_transpose(ctorch_tensor a, int64_t dim0, int64_t dim1) {
    return wrap([&] { return ref(a).transpose(dim0, dim1); });
}

ctorch_tensor ctorch_softmax(ctorch_tensor a, int64_t dim, int log) {
    return wrap([&] { return log ? at::log_softmax(ref(a), dim) : at::softmax(ref(a), dim); });
}

ctorch_tensor ctorch_layer_norm(ctorch_tensor a, int normalized, ctorch_tensor weight, ctorch_tensor bias, double eps) {
    return wrap([&] {
        const at::Tensor &x = ref(a);
        if (normalized < 1 || normalized > x.dim()) {
            throw std::invalid_argument("layer norm over " + std::to_string(normalized) + " dimensions of a " +
                                        std::to_string(x.dim()) + "-dimensional tensor");
        }
        auto shape = x.sizes().slice(static_cast<size_t>(x.dim() - normalized));
        c10::optional<at::Tensor> w, b;
        if (weight != nullptr) w = weight->value;
        if (bias != nullptr) b = bias->value;
        return at::layer_norm(x, shape, w, b, eps);
    });
}

ctorch_tensor ctorch_dropout(ctorch_tensor a, double p, int train, ctorch_generator generator) {
    return wrap([&] {
        if (p < 0 || p >= 1) throw std::invalid_argument("dropout probability must be in [0, 1)");
        const at::Tensor &x = ref(a);
        if (train == 0 || p == 0) return x.alias();
        at::Tensor keep = at::empty_like(x, x.options().requires_grad(false)).bernoulli_(1 - p, generator_of(generator));
        return x * keep / (1 - p);
    });
}

ctorch_tensor ctorch_attention(ctorch_tensor q, ctorch_tensor k, ctorch_tensor v, ctorch_tensor mask) {
    return wrap([&] {
        const at::Tensor &Q = ref(q), &K = ref(k), &V = ref(v);
        at::Tensor scores = at::matmul(Q, K.transpose(-2, -1)) / std::sqrt(static_cast<double>(Q.size(-1)));
        if (mask != nullptr) scores = scores + mask->value;
        return at::matmul(at::softmax(scores, -1), V);
    });
}

ctorch_tensor ctorch_cat(const ctorch_tensor *tensors, int count, int64_t dim) {
    return wrap([&] { return at::cat(list(tensors, count), dim); });
}

ctorch_tensor ctorch_index_select(ctorch_tensor a, int64_t dim, ctorch_tensor index) {
    return wrap([&] { return at::index_select(ref(a), dim, ref(index)); });
}

ctorch_tensor ctorch_gather(ctorch_tensor a, int64_t dim, ctorch_tensor index) {
    return wrap([&] { return at::gather(ref(a), dim, ref(index)); });
}

ctorch_tensor ctorch_sort(ctorch_tensor a, int64_t dim) {
    return wrap([&] { return std::get<0>(at::sort(ref(a), /*stable=*/true, dim, /*descending=*/false)); });
}

ctorch_tensor ctorch_cross_entropy(ctorch_tensor logits, ctorch_tensor targets) {
    return wrap([&] { return at::nll_loss(at::log_softmax(ref(logits), 1), ref(targets)); });
}

ctorch_tensor ctorch_mse(ctorch_tensor prediction, ctorch_tensor target) {
    return wrap([&] { return at::mse_loss(ref(prediction), ref(target)); });
}

ctorch_tensor ctorch_gaussian_nll(ctorch_tensor mean, ctorch_tensor target, ctorch_tensor variance) {
    return wrap([&] {
        // torch.nn.functional.gaussian_nll_loss(full=False, eps=1e-6, reduction='mean'); not in libtorch 1.13's C++ API.
        at::Tensor var = ref(variance).clamp_min(1e-6);
        at::Tensor diff = ref(mean) - ref(target);
        return (0.5 * (var.log() + diff * diff / var)).mean();
    });
}

int ctorch_backward(ctorch_tensor loss) {
    return status([&] {
        const at::Tensor &l = ref(loss);
        if (l.numel() != 1) throw std::invalid_argument("backward needs a scalar loss, got " + std::to_string(l.numel()) + " values");
        l.backward();
    });
}

ctorch_optimizer ctorch_adam_new(const ctorch_tensor *parameters, int count, double lr, double beta1, double beta2,
                                 double eps, double weight_decay, int decoupled) {
    return guarded<ctorch_optimizer>([&] {
        auto params = list(parameters, count);
        auto out = std::make_unique<ctorch_optimizer_s>();
        if (decoupled) {
            out->value = std::make_unique<torch::optim::AdamW>(
                params, torch::optim::AdamWOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay));
        } else {
            out->value = std::make_unique<torch::optim::Adam>(
                params, torch::optim::AdamOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay));
        }
        return out.release();
    }, nullptr);
}

void ctorch_optimizer_free(ctorch_optimizer o) { delete o; }

int ctorch_optimizer_zero_grad(ctorch_optimizer o) { return status([&] { o->value->zero_grad(); }); }

int ctorch_optimizer_step(ctorch_optimizer o) { return status([&] { o->value->step(); }); }

int ctorch_optimizer_set_lr(ctorch_optimizer o, double lr) {
    return status([&] {
        for (auto &group : o->value->param_groups()) {
            if (auto *w = dynamic_cast<torch::optim::AdamWOptions *>(&group.options())) w->lr(lr);
            if (auto *a = dynamic_cast<torch::optim::AdamOptions *>(&group.options())) a->lr(lr);
        }
    });
}

int ctorch_clip_grad_norm(const ctorch_tensor *parameters, int count, double max_norm, double *total_norm) {
    return status([&] {
        double norm = torch::nn::utils::clip_grad_norm_(list(parameters, count), max_norm);
        if (total_norm != nullptr) *total_norm = norm;
    });
}

int ctorch_save(const char *path, const char *const *names, const ctorch_tensor *tensors, int count) {
    return status([&] {
        torch::serialize::OutputArchive archive;
        for (int i = 0; i < count; i++) archive.write(names[i], ref(tensors[i]).detach());
        archive.save_to(path);
    });
}

int ctorch_load(const char *path, const char *const *names, const ctorch_tensor *tensors, int count) {
    return status([&] {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        at::NoGradGuard guard;
        for (int i = 0; i < count; i++) {
            at::Tensor value;
            archive.read(names[i], value);
            if (!value.sizes().equals(ref(tensors[i]).sizes())) {
                throw std::invalid_argument(std::string(path) + ": parameter '" + names[i] + "' has shape " +
                                            c10::str(value.sizes()) + ", expected " + c10::str(ref(tensors[i]).sizes()));
            }
            tensors[i]->value.copy_(value);
        }
    });
}

}  // extern "C"
