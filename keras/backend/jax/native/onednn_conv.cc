// Convolution passes, the batch normalization's gradient and matrix products run by
// oneDNN, as XLA FFI custom calls of the JAX backend's CPU path.
//
// XLA's CPU backend computes a convolution's kernel gradient several times slower than
// oneDNN (the library TensorFlow and PyTorch run on CPUs). keras/backend/jax/onednn.py
// compiles this file against the oneDNN found beside Python and registers its handlers;
// keras/backend/jax/conv_ops.py calls them where they were measured faster.
//
// Layouts are those of the JAX backend's canonical convolution: inputs and outputs
// (batch, spatial..., channels), kernels (spatial..., in / groups, out); one to three
// spatial axes. The handler takes the attributes `pass` (which of the three passes),
// `strides`, `pad_lo`, `pad_hi` and `dilation` per spatial axis (XLA's convention: a
// dilation of 1 is none) and `groups` (XLA's feature_group_count: output channel
// g * out / groups + o reads input channels g * in / groups ...; a depthwise convolution
// has as many groups as input channels). The forward pass of a biased convolution (a
// Conv layer's) takes the bias as a third operand, added as oneDNN writes the output.
//
// The file also holds the dropout keep masks of keras/backend/jax/ops.py, the batch
// statistics of its batch normalization and the optimizer updates of keras/optimizers.py
// (no oneDNN in them, built here so that one library holds the JAX backend's CPU
// handlers): see KeepMask, BatchMoments and OptimizerUpdate.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <omp.h>

#include "oneapi/dnnl/dnnl.hpp"
#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;
using dnnl::memory;

namespace {

enum Pass : int64_t { kForward = 0, kInputGrad = 1, kKernelGrad = 2 };

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::format_tag activation_tag(size_t rank) {
  static const memory::format_tag tags[] = {memory::format_tag::nwc, memory::format_tag::nhwc,
                                            memory::format_tag::ndhwc};
  return tags[rank - 1];
}

memory::format_tag kernel_tag(size_t rank, int64_t groups) {
  static const memory::format_tag tags[] = {memory::format_tag::wio, memory::format_tag::hwio,
                                            memory::format_tag::dhwio};
  // the same memory with the output channels split into (groups, out / groups)
  static const memory::format_tag grouped[] = {
      memory::format_tag::wigo, memory::format_tag::hwigo, memory::format_tag::dhwigo};
  return groups > 1 ? grouped[rank - 1] : tags[rank - 1];
}

// oneDNN's logical dims (batch, channels, spatial...) of a channels-last XLA shape
memory::dims activation_dims(ffi::Span<const int64_t> shape) {
  memory::dims dims = {shape[0], shape[shape.size() - 1]};
  for (size_t i = 1; i + 1 < shape.size(); ++i) dims.push_back(shape[i]);
  return dims;
}

// (out, in, spatial...) of a (spatial..., in, out) kernel shape; with groups,
// (groups, out / groups, in, spatial...)
memory::dims kernel_dims(ffi::Span<const int64_t> shape, int64_t groups) {
  size_t n = shape.size();
  memory::dims dims = {shape[n - 1], shape[n - 2]};
  if (groups > 1) dims = {groups, shape[n - 1] / groups, shape[n - 2]};
  for (size_t i = 0; i + 2 < n; ++i) dims.push_back(shape[i]);
  return dims;
}

// One pass of one convolution: the primitive, and the reorders between the kernel's
// (spatial..., in, out) layout and the blocked layout the primitive chose for it, with the
// scratch memory each needs (user_scratchpad).
struct Plan {
  dnnl::primitive conv;
  memory::desc conv_scratch;
  memory::desc kernel_plain, kernel_blocked;
  bool reorder = false;
  dnnl::reorder to_blocked, to_plain;
  memory::desc reorder_scratch;
};

// The attributes of every primitive here: its scratch memory comes from the caller.
// oneDNN's own scratchpad (the library mode) is a buffer of the thread that creates a
// primitive, sized for the primitives that thread created; XLA runs a compiled step's
// custom calls on any thread of its pool, and a primitive run on another thread than the
// one that made it overflowed that thread's smaller buffer (a segfault in the im2col of
// the kernel gradient of a 16x16, stride 8 convolution: FCN heads, keras_segmentation).
dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// The scratch memory of the primitive being run: one buffer, grown as needed, which every
// execution here shares (they hold execute_mutex).
memory scratch(const memory::desc& md) {
  static void* data = nullptr;
  static size_t size = 0;
  size_t bytes = md.get_size();
  if (bytes > size) {
    std::free(data);
    size = (bytes + 4095) / 4096 * 4096;
    data = std::aligned_alloc(4096, size);
    if (data == nullptr) {
      size = 0;
      throw dnnl::error(dnnl_out_of_memory, "no memory for a scratchpad");
    }
  }
  return memory(md, cpu_engine(), data);
}

std::mutex plans_mutex;
// One oneDNN computation at a time: each already spreads over every core through OpenMP,
// and XLA runs independent custom calls on several of its own threads at once, whose
// OpenMP teams competing for the cores left oneDNN's kernels spinning in their barriers
// (a train step of four parallel convolutions hung on 2 cores).
std::mutex execute_mutex;
std::map<std::vector<int64_t>, std::shared_ptr<Plan>> plans;

// The bias of a biased convolution: one entry per output channel.
memory::desc bias_desc(const memory::dims& y) {
  return memory::desc({y[1]}, memory::data_type::f32, memory::format_tag::a);
}

std::shared_ptr<Plan> make_plan(Pass pass, bool biased, const memory::dims& x,
                                const memory::dims& k, const memory::dims& y, size_t rank,
                                int64_t groups, const memory::dims& strides,
                                const memory::dims& lo, const memory::dims& hi,
                                const memory::dims& dilation) {
  auto& engine = cpu_engine();
  auto f32 = memory::data_type::f32;
  memory::desc x_md(x, f32, activation_tag(rank)), y_md(y, f32, activation_tag(rank));
  memory::desc k_any(k, f32, memory::format_tag::any);
  // no bias: a zero descriptor
  memory::desc b_md = biased ? bias_desc(y) : memory::desc();
  auto plan = std::make_shared<Plan>();
  auto attr = user_scratchpad();
  plan->kernel_plain = memory::desc(k, f32, kernel_tag(rank, groups));
  dnnl::convolution_forward::primitive_desc fwd(
      engine, dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, x_md,
      k_any, b_md, y_md, strides, dilation, lo, hi, attr);
  if (pass == kForward) {
    plan->conv = dnnl::convolution_forward(fwd);
    plan->kernel_blocked = fwd.weights_desc();
    plan->conv_scratch = fwd.scratchpad_desc();
  } else if (pass == kInputGrad) {
    dnnl::convolution_backward_data::primitive_desc bwd(
        engine, dnnl::algorithm::convolution_direct, x_md, k_any, y_md, strides, dilation, lo,
        hi, fwd, attr);
    plan->conv = dnnl::convolution_backward_data(bwd);
    plan->kernel_blocked = bwd.weights_desc();
    plan->conv_scratch = bwd.scratchpad_desc();
  } else {
    dnnl::convolution_backward_weights::primitive_desc bwd(
        engine, dnnl::algorithm::convolution_direct, x_md, k_any, y_md, strides, dilation, lo,
        hi, fwd, attr);
    plan->conv = dnnl::convolution_backward_weights(bwd);
    plan->kernel_blocked = bwd.diff_weights_desc();
    plan->conv_scratch = bwd.scratchpad_desc();
  }
  plan->reorder = plan->kernel_blocked != plan->kernel_plain;
  if (plan->reorder) {
    bool to_plain = pass == kKernelGrad;
    dnnl::reorder::primitive_desc pd(
        engine, to_plain ? plan->kernel_blocked : plan->kernel_plain, engine,
        to_plain ? plan->kernel_plain : plan->kernel_blocked, attr);
    (to_plain ? plan->to_plain : plan->to_blocked) = dnnl::reorder(pd);
    plan->reorder_scratch = pd.scratchpad_desc();
  }
  return plan;
}

ffi::Error Convolution(ffi::Buffer<ffi::F32> a, ffi::Buffer<ffi::F32> b,
                       ffi::RemainingArgs more_args, ffi::ResultBuffer<ffi::F32> out,
                       int64_t pass_attr, ffi::Span<const int64_t> strides,
                       ffi::Span<const int64_t> pad_lo, ffi::Span<const int64_t> pad_hi,
                       ffi::Span<const int64_t> dilation, int64_t groups) {
  auto pass = static_cast<Pass>(pass_attr);
  if (pass != kForward && pass != kInputGrad && pass != kKernelGrad) {
    return ffi::Error::InvalidArgument("keras onednn convolution: pass " +
                                       std::to_string(pass_attr) +
                                       ", expected 0 (forward), 1 (input gradient) or 2 "
                                       "(kernel gradient)");
  }
  // the three shapes: input x, kernel k, output y, whichever two are the operands
  ffi::Span<const int64_t> x_shape = pass == kInputGrad ? out->dimensions() : a.dimensions();
  ffi::Span<const int64_t> k_shape = pass == kKernelGrad ? out->dimensions() : b.dimensions();
  ffi::Span<const int64_t> y_shape = pass == kForward ? out->dimensions()
                                     : pass == kInputGrad ? a.dimensions() : b.dimensions();
  size_t rank = x_shape.size() - 2;
  if (rank < 1 || rank > 3 || k_shape.size() != rank + 2 || y_shape.size() != rank + 2 ||
      strides.size() != rank || pad_lo.size() != rank || pad_hi.size() != rank ||
      dilation.size() != rank) {
    return ffi::Error::InvalidArgument(
        "keras onednn convolution: expected an input, kernel and output of rank 3 to 5 and "
        "strides, pads and dilation with one entry per spatial axis; the input has rank " +
        std::to_string(x_shape.size()));
  }
  if (groups < 1 || x_shape[rank + 1] != k_shape[rank] * groups ||
      k_shape[rank + 1] % groups != 0) {
    return ffi::Error::InvalidArgument(
        "keras onednn convolution: " + std::to_string(groups) + " groups, expected the "
        "input's channels (" + std::to_string(x_shape[rank + 1]) + ") to be the kernel's "
        "input channels (" + std::to_string(k_shape[rank]) + ") times the groups and the "
        "kernel's outputs (" + std::to_string(k_shape[rank + 1]) + ") a multiple of them");
  }
  // a biased convolution's forward pass: a third operand, the bias
  const bool biased = more_args.size() > 0;
  float* bias_data = nullptr;
  if (biased) {
    auto bias = more_args.get<ffi::Buffer<ffi::F32>>(0);
    if (pass != kForward || more_args.size() != 1 || !bias.has_value() ||
        bias->dimensions().size() != 1 || bias->dimensions()[0] != y_shape[rank + 1]) {
      return ffi::Error::InvalidArgument(
          "keras onednn convolution: a third operand is the bias of a forward pass, a "
          "float32 vector of the output's " + std::to_string(y_shape[rank + 1]) +
          " channels; got " + std::to_string(more_args.size()) + " more operands for pass " +
          std::to_string(pass_attr));
    }
    bias_data = bias->typed_data();
  }
  memory::dims x = activation_dims(x_shape), y = activation_dims(y_shape),
               k = kernel_dims(k_shape, groups);
  memory::dims s(strides.begin(), strides.end()), lo(pad_lo.begin(), pad_lo.end()),
      hi(pad_hi.begin(), pad_hi.end()), d;
  for (int64_t v : dilation) d.push_back(v - 1);

  std::vector<int64_t> key = {pass_attr, biased, groups};
  for (const memory::dims* v : {&x, &k, &y, &s, &lo, &hi, &d}) {
    key.insert(key.end(), v->begin(), v->end());
  }
  std::shared_ptr<Plan> plan;
  try {
    {
      std::lock_guard<std::mutex> lock(plans_mutex);
      auto found = plans.find(key);
      if (found != plans.end()) plan = found->second;
    }
    if (!plan) {
      plan = make_plan(pass, biased, x, k, y, rank, groups, s, lo, hi, d);
      std::lock_guard<std::mutex> lock(plans_mutex);
      plans.emplace(key, plan);
    }
    std::lock_guard<std::mutex> executing(execute_mutex);
    auto& engine = cpu_engine();
    dnnl::stream stream(engine);
    memory::desc x_md(x, memory::data_type::f32, activation_tag(rank));
    memory::desc y_md(y, memory::data_type::f32, activation_tag(rank));
    float* a_data = a.typed_data();
    float* b_data = b.typed_data();
    float* out_data = out->typed_data();
    if (pass == kKernelGrad) {
      memory src(x_md, engine, a_data), diff_dst(y_md, engine, b_data);
      memory plain(plan->kernel_plain, engine, out_data);
      memory blocked = plan->reorder ? memory(plan->kernel_blocked, engine) : plain;
      plan->conv.execute(stream, {{DNNL_ARG_SRC, src},
                                  {DNNL_ARG_DIFF_DST, diff_dst},
                                  {DNNL_ARG_DIFF_WEIGHTS, blocked},
                                  {DNNL_ARG_SCRATCHPAD, scratch(plan->conv_scratch)}});
      if (plan->reorder) {
        plan->to_plain.execute(stream, {{DNNL_ARG_FROM, blocked},
                                        {DNNL_ARG_TO, plain},
                                        {DNNL_ARG_SCRATCHPAD, scratch(plan->reorder_scratch)}});
      }
    } else {
      memory plain(plan->kernel_plain, engine, b_data);
      memory blocked = plain;
      if (plan->reorder) {
        blocked = memory(plan->kernel_blocked, engine);
        plan->to_blocked.execute(stream, {{DNNL_ARG_FROM, plain},
                                          {DNNL_ARG_TO, blocked},
                                          {DNNL_ARG_SCRATCHPAD, scratch(plan->reorder_scratch)}});
      }
      if (pass == kForward) {
        memory src(x_md, engine, a_data), dst(y_md, engine, out_data);
        std::unordered_map<int, memory> args = {
            {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, blocked}, {DNNL_ARG_DST, dst},
            {DNNL_ARG_SCRATCHPAD, scratch(plan->conv_scratch)}};
        if (biased) args[DNNL_ARG_BIAS] = memory(bias_desc(y), engine, bias_data);
        plan->conv.execute(stream, args);
      } else {
        memory diff_dst(y_md, engine, a_data), diff_src(x_md, engine, out_data);
        plan->conv.execute(stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                                    {DNNL_ARG_WEIGHTS, blocked},
                                    {DNNL_ARG_DIFF_SRC, diff_src},
                                    {DNNL_ARG_SCRATCHPAD, scratch(plan->conv_scratch)}});
      }
    }
    stream.wait();
  } catch (const dnnl::error& e) {
    return ffi::Error::Internal(std::string("keras onednn convolution: ") + e.what());
  }
  return ffi::Error::Success();
}

// The gradient of a batch normalization of a channels-last 4D float32 input over its first
// three axes with the batch's statistics (a training step), as TensorFlow's fused kernel
// computes it: (x, dy, mean, biased variance, scale) -> (dx, dscale, dshift). One primitive
// per (shape, epsilon). (The forward pass is BatchMoments' statistics and XLA's
// normalization, which XLA fuses with the activation after it.)
struct NormPlan {
  dnnl::batch_normalization_backward backward;
  memory::desc scratch;
};
std::map<std::pair<std::vector<int64_t>, float>, std::shared_ptr<NormPlan>> norm_plans;

memory::dims nhwc_dims(ffi::Span<const int64_t> shape) {
  return {shape[0], shape[3], shape[1], shape[2]};
}

std::shared_ptr<NormPlan> norm_plan(const memory::dims& dims, float epsilon) {
  std::vector<int64_t> shape(dims.begin(), dims.end());
  auto key = std::make_pair(shape, epsilon);
  {
    std::lock_guard<std::mutex> lock(plans_mutex);
    auto found = norm_plans.find(key);
    if (found != norm_plans.end()) return found->second;
  }
  auto& engine = cpu_engine();
  memory::desc md(dims, memory::data_type::f32, memory::format_tag::nhwc);
  auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  // (the forward pass's description: the backward one's hint)
  auto attr = user_scratchpad();
  dnnl::batch_normalization_forward::primitive_desc fwd(
      engine, dnnl::prop_kind::forward_training, md, md, epsilon, flags, attr);
  dnnl::batch_normalization_backward::primitive_desc bwd(
      engine, dnnl::prop_kind::backward, md, md, md, epsilon, flags, fwd, attr);
  auto plan = std::make_shared<NormPlan>();
  plan->backward = dnnl::batch_normalization_backward(bwd);
  plan->scratch = bwd.scratchpad_desc();
  std::lock_guard<std::mutex> lock(plans_mutex);
  norm_plans.emplace(key, plan);
  return plan;
}

ffi::Error check_norm_shapes(ffi::Span<const int64_t> x, ffi::Span<const int64_t> channels) {
  if (x.size() != 4 || channels.size() != 1 || channels[0] != x[3]) {
    return ffi::Error::InvalidArgument(
        "keras onednn batch normalization: expected a 4D channels-last input and one "
        "parameter per channel of its last axis; the input has rank " +
        std::to_string(x.size()) + " and " + std::to_string(x.size() == 0 ? 0 : x[x.size() - 1]) +
        " channels, the parameters " + std::to_string(channels.size() == 0 ? 0 : channels[0]) +
        " entries");
  }
  return ffi::Error::Success();
}

ffi::Error NormBackward(ffi::Buffer<ffi::F32> x, ffi::Buffer<ffi::F32> dy,
                        ffi::Buffer<ffi::F32> mean, ffi::Buffer<ffi::F32> variance,
                        ffi::Buffer<ffi::F32> scale, ffi::ResultBuffer<ffi::F32> dx,
                        ffi::ResultBuffer<ffi::F32> dscale, ffi::ResultBuffer<ffi::F32> dshift,
                        float epsilon) {
  ffi::Error bad = check_norm_shapes(x.dimensions(), scale.dimensions());
  if (bad.failure()) return bad;
  memory::dims dims = nhwc_dims(x.dimensions());
  try {
    auto plan = norm_plan(dims, epsilon);
    std::lock_guard<std::mutex> executing(execute_mutex);
    auto& engine = cpu_engine();
    dnnl::stream stream(engine);
    memory::desc md(dims, memory::data_type::f32, memory::format_tag::nhwc);
    memory::desc cd({dims[1]}, memory::data_type::f32, memory::format_tag::a);
    plan->backward.execute(stream, {{DNNL_ARG_SRC, memory(md, engine, x.typed_data())},
                           {DNNL_ARG_DIFF_DST, memory(md, engine, dy.typed_data())},
                           {DNNL_ARG_MEAN, memory(cd, engine, mean.typed_data())},
                           {DNNL_ARG_VARIANCE, memory(cd, engine, variance.typed_data())},
                           {DNNL_ARG_SCALE, memory(cd, engine, scale.typed_data())},
                           {DNNL_ARG_DIFF_SRC, memory(md, engine, dx->typed_data())},
                           {DNNL_ARG_DIFF_SCALE, memory(cd, engine, dscale->typed_data())},
                           {DNNL_ARG_DIFF_SHIFT, memory(cd, engine, dshift->typed_data())},
                           {DNNL_ARG_SCRATCHPAD, scratch(plan->scratch)}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return ffi::Error::Internal(std::string("keras onednn batch normalization: ") + e.what());
  }
  return ffi::Error::Success();
}

// Work cut into `count` pieces, run by the calling thread and `helpers` tasks scheduled on
// XLA's intra-op thread pool (as XLA splits its own kernels there; OpenMP's threads would
// compete with that pool's): each takes the next piece until none is left, and the call
// returns when every piece is done. A task that starts after the last piece was taken finds
// nothing left (and never calls `run`), so the caller waits only for pieces under way, never
// for a busy pool. With helpers the oneDNN mutex is held: not beside a oneDNN computation,
// whose OpenMP threads take every core.
struct Pieces {
  int64_t count;
  std::function<void(int64_t)> run;
  std::atomic<int64_t> next{0}, done{0};
};

void TakePieces(Pieces& pieces) {
  for (int64_t i = pieces.next.fetch_add(1); i < pieces.count; i = pieces.next.fetch_add(1)) {
    pieces.run(i);
    pieces.done.fetch_add(1);
  }
}

void RunPieces(ffi::ThreadPool& pool, int64_t count, int64_t helpers,
               std::function<void(int64_t)> run) {
  auto pieces = std::make_shared<Pieces>();
  pieces->count = count;
  pieces->run = std::move(run);
  if (helpers <= 0) {
    TakePieces(*pieces);
    return;
  }
  std::lock_guard<std::mutex> executing(execute_mutex);
  for (int64_t t = 0; t < helpers; ++t) {
    pool.Schedule([pieces]() { TakePieces(*pieces); });
  }
  TakePieces(*pieces);
  while (pieces->done.load() < count) std::this_thread::yield();
}

// The mean and biased variance of each channel (the last axis) of a float32 array over all
// its other axes: a train step's batch statistics, in one pass over the input. The
// positions are cut into one share per thread of XLA's intra-op pool (RunPieces), each
// summing its entries and their squares in double precision (a float32 entry's square is
// exact there, and the variance, sum of squares / n - mean^2, loses nothing that float32
// keeps until the mean exceeds the standard deviation some 10^4 times); XLA computed the
// mean, wrote the centred input and read it again for the variance.

// inputs of fewer entries than this a share run on the calling thread alone
constexpr int64_t kMomentsShare = 1 << 18;
// Adds the entries of `rows` rows (`stride` floats apart) of `B` channels, and their
// squares, to `sum` and `squares` (a double a channel): the block's sums stay in registers
// over the rows, four rows an iteration. Compiled for AVX-512, AVX2 and the baseline, the
// loader picking the best the CPU has.
template <int64_t B>
__attribute__((target_clones("avx512f", "avx2", "default")))
void SumBlock(const float* data, int64_t rows, int64_t stride, double* sum, double* squares) {
  double s[B] = {}, q[B] = {};
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float* row = data + r * stride;
    for (int64_t j = 0; j < B; ++j) {
      const double a = row[j], b = row[stride + j], c = row[2 * stride + j],
                   d = row[3 * stride + j];
      s[j] += (a + b) + (c + d);
      q[j] += (a * a + b * b) + (c * c + d * d);
    }
  }
  for (; r < rows; ++r) {
    const float* row = data + r * stride;
    for (int64_t j = 0; j < B; ++j) {
      const double v = row[j];
      s[j] += v;
      q[j] += v * v;
    }
  }
  for (int64_t j = 0; j < B; ++j) {
    sum[j] += s[j];
    squares[j] += q[j];
  }
}

// SumBlock over every channel: blocks of 64, 32 and 16 channels, then the rest one by one.
void SumRows(const float* data, int64_t rows, int64_t channels, double* sum,
             double* squares) {
  int64_t c = 0;
  for (; c + 64 <= channels; c += 64) SumBlock<64>(data + c, rows, channels, sum + c, squares + c);
  for (; c + 32 <= channels; c += 32) SumBlock<32>(data + c, rows, channels, sum + c, squares + c);
  for (; c + 16 <= channels; c += 16) SumBlock<16>(data + c, rows, channels, sum + c, squares + c);
  for (; c < channels; ++c) SumBlock<1>(data + c, rows, channels, sum + c, squares + c);
}

ffi::Error BatchMoments(ffi::ThreadPool pool, ffi::Buffer<ffi::F32> x,
                        ffi::ResultBuffer<ffi::F32> mean, ffi::ResultBuffer<ffi::F32> variance) {
  auto shape = x.dimensions();
  const int64_t channels = shape.size() == 0 ? 0 : shape[shape.size() - 1];
  if (channels <= 0 || mean->dimensions().size() != 1 || mean->dimensions()[0] != channels ||
      variance->dimensions().size() != 1 || variance->dimensions()[0] != channels) {
    return ffi::Error::InvalidArgument(
        "keras batch moments: expected an input of rank 1 or more with channels on its last "
        "axis and two results of one entry per channel; the input has rank " +
        std::to_string(shape.size()) + " and " + std::to_string(channels) + " channels");
  }
  const int64_t count = static_cast<int64_t>(x.element_count());
  const int64_t rows = count / channels;
  if (rows == 0) {
    return ffi::Error::InvalidArgument("keras batch moments: the input has no entries");
  }
  const float* data = x.typed_data();
  const int64_t shares = std::max<int64_t>(
      1, std::min<int64_t>({static_cast<int64_t>(pool.num_threads()), count / kMomentsShare,
                            rows}));
  // per share: the sums of the entries, then of their squares
  std::vector<double> sums(static_cast<size_t>(shares * 2 * channels), 0.0);
  RunPieces(pool, shares, shares - 1, [&](int64_t s) {
    double* sum = sums.data() + s * 2 * channels;
    const int64_t begin = rows * s / shares, end = rows * (s + 1) / shares;
    SumRows(data + begin * channels, end - begin, channels, sum, sum + channels);
  });
  float* mean_data = mean->typed_data();
  float* variance_data = variance->typed_data();
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0.0, squares = 0.0;
    for (int64_t s = 0; s < shares; ++s) {
      sum += sums[s * 2 * channels + c];
      squares += sums[s * 2 * channels + channels + c];
    }
    const double m = sum / rows;
    mean_data[c] = static_cast<float>(m);
    variance_data[c] = static_cast<float>(std::max(squares / rows - m * m, 0.0));
  }
  return ffi::Error::Success();
}

// The product of two row-major float32 matrices, either of them transposed first:
// out (m, n) = op(a) . op(b), with op(a) (m, k) and op(b) (k, n), by oneDNN's sgemm. XLA's
// CPU backend computes a product that contracts both operands' leading axis (a layer's
// kernel gradient, x^T . dy) by copying one operand transposed first; sgemm reads either
// layout as it is. The output's longer side is cut into one share per thread of XLA's
// intra-op pool (RunPieces), each computed by a sequential sgemm: oneDNN's own OpenMP
// threads would run beside XLA's busy ones (and spin after each product), which made a small
// model's step slower than XLA's products.

// products of fewer multiply-adds than this a share run on the calling thread alone
constexpr int64_t kMatmulShare = 1 << 21;

ffi::Error Matmul(ffi::ThreadPool pool, ffi::Buffer<ffi::F32> a, ffi::Buffer<ffi::F32> b,
                  ffi::ResultBuffer<ffi::F32> out, int64_t transpose_a, int64_t transpose_b) {
  auto a_shape = a.dimensions(), b_shape = b.dimensions(), out_shape = out->dimensions();
  if (a_shape.size() != 2 || b_shape.size() != 2 || out_shape.size() != 2) {
    return ffi::Error::InvalidArgument(
        "keras onednn matmul: expected two matrices and a matrix result, got operands of "
        "rank " + std::to_string(a_shape.size()) + " and " + std::to_string(b_shape.size()));
  }
  const bool ta = transpose_a != 0, tb = transpose_b != 0;
  const int64_t m = ta ? a_shape[1] : a_shape[0], k = ta ? a_shape[0] : a_shape[1];
  const int64_t k_b = tb ? b_shape[1] : b_shape[0], n = tb ? b_shape[0] : b_shape[1];
  if (k != k_b || out_shape[0] != m || out_shape[1] != n) {
    return ffi::Error::InvalidArgument(
        "keras onednn matmul: op(a) is " + std::to_string(m) + "x" + std::to_string(k) +
        " and op(b) " + std::to_string(k_b) + "x" + std::to_string(n) + ", expected equal "
        "inner sizes and a " + std::to_string(m) + "x" + std::to_string(n) + " result, got " +
        std::to_string(out_shape[0]) + "x" + std::to_string(out_shape[1]));
  }
  float* c = out->typed_data();
  if (m == 0 || n == 0) return ffi::Error::Success();
  if (k == 0) {
    std::fill(c, c + m * n, 0.f);
    return ffi::Error::Success();
  }
  const float* a_data = a.typed_data();
  const float* b_data = b.typed_data();
  const int64_t lda = a_shape[1], ldb = b_shape[1];
  const bool split_rows = m > n;
  const int64_t side = split_rows ? m : n;
  const int64_t shares = std::max<int64_t>(
      1, std::min<int64_t>({static_cast<int64_t>(pool.num_threads()), m * n * k / kMatmulShare,
                            side}));
  std::atomic<bool> failed{false};
  RunPieces(pool, shares, shares - 1, [&](int64_t s) {
    const int64_t begin = side * s / shares, end = side * (s + 1) / shares;
    const float* a_share = a_data;
    const float* b_share = b_data;
    float* c_share = c;
    int64_t rows = m, cols = n;
    if (split_rows) {
      a_share += ta ? begin : begin * lda;
      c_share += begin * n;
      rows = end - begin;
    } else {
      b_share += tb ? begin * ldb : begin;
      c_share += begin;
      cols = end - begin;
    }
    // a sequential sgemm on this thread (the OpenMP setting is this thread's own)
    const int previous = omp_get_max_threads();
    omp_set_num_threads(1);
    if (dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', rows, cols, k, 1.f, a_share, lda, b_share,
                   ldb, 0.f, c_share, n) != dnnl_success) {
      failed.store(true);
    }
    omp_set_num_threads(previous);
  });
  if (failed.load()) {
    return ffi::Error::Internal("keras onednn matmul: sgemm failed");
  }
  return ffi::Error::Success();
}

// The gradient of a row lookup (an embedding's): out (rows, width) is zero but for the sum,
// at each looked-up row, of the updates of the entries that read it; indices in [-rows, 0)
// count from the end and others are dropped, as jnp.take's transpose does. XLA fills the
// whole table with zeros in one kernel and adds the updates in another; here the zeros are
// written by one share of the table per thread of XLA's intra-op pool (memset), then the
// updates are added in index order on the calling thread.

// tables of fewer bytes than this a share are zeroed on the calling thread alone
constexpr int64_t kZeroShare = 1 << 21;

ffi::Error ScatterRows(ffi::ThreadPool pool, ffi::Buffer<ffi::S32> indices,
                       ffi::Buffer<ffi::F32> updates, ffi::ResultBuffer<ffi::F32> out) {
  auto u_shape = updates.dimensions(), out_shape = out->dimensions();
  const int64_t n = static_cast<int64_t>(indices.element_count());
  if (u_shape.size() != 2 || out_shape.size() != 2 || u_shape[0] != n ||
      u_shape[1] != out_shape[1]) {
    auto shape = [](ffi::Span<const int64_t> dims) {
      std::string text = "(";
      for (size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
      return text + ")";
    };
    return ffi::Error::InvalidArgument(
        "keras scatter rows: expected updates of shape (" + std::to_string(n) +
        ", width) for " + std::to_string(n) + " indices and a result of shape (rows, width); "
        "got updates of shape " + shape(u_shape) + " and a result of shape " + shape(out_shape));
  }
  const int64_t rows = out_shape[0], width = out_shape[1];
  float* o = out->typed_data();
  const int64_t bytes = rows * width * static_cast<int64_t>(sizeof(float));
  const int64_t shares =
      std::max<int64_t>(1, std::min<int64_t>(pool.num_threads(), bytes / kZeroShare));
  RunPieces(pool, shares, shares - 1, [&](int64_t s) {
    const int64_t begin = bytes * s / shares, end = bytes * (s + 1) / shares;
    std::memset(reinterpret_cast<char*>(o) + begin, 0, end - begin);
  });
  const int32_t* index = indices.typed_data();
  const float* u = updates.typed_data();
  for (int64_t i = 0; i < n; ++i) {
    int64_t r = index[i];
    if (r < 0) r += rows;
    if (r < 0 || r >= rows) continue;
    float* row = o + r * width;
    const float* add = u + i * width;
    for (int64_t j = 0; j < width; ++j) row[j] += add[j];
  }
  return ffi::Error::Success();
}

// Dropout keep masks: entry i is 1 where the uniform draw of entry i is below `keep`, else 0,
// the draw being that of keras/backend/jax/random_streams.py for the key data (k1, k2,
// word): Threefry-2x32 (20 rounds) of the counters (word, i) under the key (k1, k2), the two
// output words xored, their top 23 bits the mantissa of a float in [1, 2), minus 1 (what
// jax.random.bernoulli computes from those bits). XLA compiles that hash into a kernel of
// its own for every dropout of a step (tens of milliseconds of compile time each); here it
// is compiled once, with the library.
constexpr uint32_t kParity = 0x1BD11BDAu;

inline uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

#define KERAS_ROUND(r) \
  x1 += x2;            \
  x2 = Rotl(x2, r) ^ x1;

__attribute__((target_clones("avx512f", "avx2", "default"))) void KeepMaskRange(
    uint32_t k1, uint32_t k2, uint32_t word, float keep, int64_t begin, int64_t end,
    float* out) {
  const uint32_t k3 = k1 ^ k2 ^ kParity;
  for (int64_t i = begin; i < end; ++i) {
    uint32_t x1 = word + k1, x2 = static_cast<uint32_t>(i) + k2;
    KERAS_ROUND(13) KERAS_ROUND(15) KERAS_ROUND(26) KERAS_ROUND(6)
    x1 += k2; x2 += k3 + 1u;
    KERAS_ROUND(17) KERAS_ROUND(29) KERAS_ROUND(16) KERAS_ROUND(24)
    x1 += k3; x2 += k1 + 2u;
    KERAS_ROUND(13) KERAS_ROUND(15) KERAS_ROUND(26) KERAS_ROUND(6)
    x1 += k1; x2 += k2 + 3u;
    KERAS_ROUND(17) KERAS_ROUND(29) KERAS_ROUND(16) KERAS_ROUND(24)
    x1 += k2; x2 += k3 + 4u;
    KERAS_ROUND(13) KERAS_ROUND(15) KERAS_ROUND(26) KERAS_ROUND(6)
    x1 += k3; x2 += k1 + 5u;
    const uint32_t mantissa = ((x1 ^ x2) >> 9) | 0x3F800000u;
    float uniform;
    std::memcpy(&uniform, &mantissa, sizeof(uniform));
    out[i] = (uniform - 1.0f) < keep ? 1.0f : 0.0f;
  }
}

#undef KERAS_ROUND

ffi::Error KeepMask(ffi::Buffer<ffi::U32> key, ffi::ResultBuffer<ffi::F32> mask, float keep) {
  if (key.element_count() != 3) {
    return ffi::Error::InvalidArgument("keep mask: the key data must be 3 uint32 words");
  }
  const uint32_t* k = key.typed_data();
  const int64_t n = static_cast<int64_t>(mask->element_count());
  float* out = mask->typed_data();
  // blocks of 16K entries shared among OpenMP's threads (those oneDNN runs on)
  constexpr int64_t kBlock = 1 << 14;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (blocks > 1)
  for (int64_t b = 0; b < blocks; ++b) {
    KeepMaskRange(k[0], k[1], k[2], keep, b * kBlock, std::min(n, (b + 1) * kBlock), out);
  }
  return ffi::Error::Success();
}

// Optimizer updates: one pass over a weight's gradient, value and slots computes the new
// value and slots of keras/optimizers.py's update rules (the same float32 operations in
// the same order, from scalars the optimizer computes once a step). XLA compiles each
// result of an elementwise rule into a kernel of its own (three to a weight for Adam or
// Adadelta: it fuses no sibling outputs on the CPU), each rereading the gradient and the
// slots (the MNIST CNN's step: 24 of its 67 kernels for Adadelta, ~0.25 s of its first
// batch's compilation); here the rules are compiled once, with the library.
//
// One call updates every weight of a step: it depends on all the gradients, so every other
// reader of a weight (the backward pass's products) runs before it and XLA can give each
// result its operand's buffer without copying the weight first (a call a weight, ordered
// only after its own gradient, made XLA copy each weight an input gradient reads: the
// MNIST MLP's 512x512 kernel, ~50 us of a 1.3 ms step).
//
// Operands: for each weight its gradient, value and the rule's slots, then the rule's
// scalars (0-d); results: for each weight its new value, then its new slots, in the slots'
// order. A result may share its operand's buffer (each entry is read before it is written).
enum Rule : int64_t {
  kSgd = 0,       // slots (moment); scalars (lr, momentum)
  kNesterov = 1,  // as kSgd
  kRmsprop = 2,   // (accumulator); (lr, rho, 1 - rho, epsilon)
  kAdagrad = 3,   // (accumulator); (lr, epsilon)
  kAdadelta = 4,  // (accumulator, delta accumulator); (lr, rho, 1 - rho, epsilon)
  kAdam = 5,      // (m, v); (lr_t, beta_1, 1 - beta_1, beta_2, 1 - beta_2, epsilon)
  kAmsgrad = 6,   // (m, v, vhat); as kAdam
  kAdamax = 7,    // (m, u); (lr_t, beta_1, 1 - beta_1, beta_2, epsilon)
  kNadam = 8,     // (m, v); (lr, beta_1, 1 - beta_1, beta_2, 1 - beta_2, 1 - m_schedule_new,
                  //  1 - m_schedule_next, 1 - beta_2 ** t, 1 - momentum_cache_t,
                  //  momentum_cache_t_1, epsilon)
  kRules = 9
};
constexpr int kRuleSlots[kRules] = {1, 1, 1, 1, 2, 2, 3, 2, 2};
constexpr int kRuleScalars[kRules] = {2, 2, 4, 2, 4, 6, 6, 5, 11};

// the larger of a and b, NaN if either is (as XLA's maximum)
inline float Max(float a, float b) { return (a > b) | std::isnan(a) ? a : b; }

template <Rule R>
__attribute__((target_clones("avx512f", "avx2", "default"))) void UpdateRange(
    const float* c, const float* const* in, float* const* out, int64_t begin, int64_t end) {
  const float* g = in[0];
  const float* p = in[1];
  // a result may be its operand's buffer, entry for entry: no dependency between entries
  // (without the pragma the compiler's overlap check sends in-place updates to a scalar loop)
#pragma GCC ivdep
  for (int64_t i = begin; i < end; ++i) {
    const float gi = g[i], pi = p[i];
    if constexpr (R == kSgd || R == kNesterov) {
      const float v = c[1] * in[2][i] - c[0] * gi;
      out[1][i] = v;
      out[0][i] = R == kSgd ? pi + v : pi + c[1] * v - c[0] * gi;
    } else if constexpr (R == kRmsprop || R == kAdagrad) {
      const float eps = R == kRmsprop ? c[3] : c[1];
      const float a = R == kRmsprop ? c[1] * in[2][i] + c[2] * (gi * gi) : in[2][i] + gi * gi;
      out[1][i] = a;
      out[0][i] = pi - c[0] * gi / (std::sqrt(a) + eps);
    } else if constexpr (R == kAdadelta) {
      const float d = in[3][i], eps = c[3];
      const float a = c[1] * in[2][i] + c[2] * (gi * gi);
      const float update = gi * std::sqrt(d + eps) / std::sqrt(a + eps);
      // update ** 2 as keras/optimizers.py writes it, 0 where g ** 2 overflowed
      const float square_any = gi * gi * (d + eps) / (a + eps);
      const float square = a < INFINITY ? square_any : 0.0f;
      out[1][i] = a;
      out[2][i] = c[1] * d + c[2] * square;
      out[0][i] = pi - c[0] * update;
    } else if constexpr (R == kAdam || R == kAmsgrad) {
      const float m = c[1] * in[2][i] + c[2] * gi;
      const float v = c[3] * in[3][i] + c[4] * (gi * gi);
      float denominator = v;
      if constexpr (R == kAmsgrad) {
        denominator = Max(in[4][i], v);
        out[3][i] = denominator;
      }
      out[1][i] = m;
      out[2][i] = v;
      out[0][i] = pi - c[0] * m / (std::sqrt(denominator) + c[5]);
    } else if constexpr (R == kAdamax) {
      const float m = c[1] * in[2][i] + c[2] * gi;
      const float u = Max(c[3] * in[3][i], std::abs(gi));
      out[1][i] = m;
      out[2][i] = u;
      out[0][i] = pi - c[0] * m / (u + c[4]);
    } else {  // kNadam
      const float m = c[1] * in[2][i] + c[2] * gi;
      const float v = c[3] * in[3][i] + c[4] * (gi * gi);
      const float m_bar = c[8] * (gi / c[5]) + c[9] * (m / c[6]);
      out[1][i] = m;
      out[2][i] = v;
      out[0][i] = pi - c[0] * m_bar / (std::sqrt(v / c[7]) + c[10]);
    }
  }
}

// one weight's arrays: gradient, value, slots in; new value, new slots out
struct WeightArrays {
  std::array<const float*, 5> in;
  std::array<float*, 4> out;
};

// A block of the work: entries [begin, end) of one weight. A weight of up to kUpdateBlock
// entries is one block; larger ones are cut into blocks of kUpdateBlock.
struct UpdateBlock {
  int32_t weight;
  int64_t begin, end;
};
constexpr int64_t kUpdateBlock = 1 << 15;

// The work of one call: its scalars, its weights' arrays and its blocks (the pieces of
// RunPieces).
struct UpdateWork {
  std::array<float, 11> c;
  std::vector<WeightArrays> weights;
  std::vector<UpdateBlock> blocks;
};

template <Rule R>
void UpdateAll(const UpdateWork& work, int64_t entries, ffi::ThreadPool& pool) {
  // helpers only for work of more than one block's entries: scheduling a task costs
  // microseconds, a small model's whole step a few tens of them (there are at least as many
  // blocks as shares: a block holds at most kUpdateBlock entries)
  const int64_t shares = (entries + kUpdateBlock - 1) / kUpdateBlock;
  const int64_t helpers = std::min<int64_t>(shares, pool.num_threads()) - 1;
  RunPieces(pool, static_cast<int64_t>(work.blocks.size()), helpers, [&](int64_t b) {
    const UpdateBlock& block = work.blocks[b];
    const WeightArrays& w = work.weights[block.weight];
    UpdateRange<R>(work.c.data(), w.in.data(), w.out.data(), block.begin, block.end);
  });
}

ffi::Error OptimizerUpdate(ffi::ThreadPool pool, ffi::RemainingArgs args,
                           ffi::RemainingRets rets, int64_t rule) {
  if (rule < 0 || rule >= kRules) {
    return ffi::Error::InvalidArgument("keras optimizer update: rule " + std::to_string(rule) +
                                       ", expected 0 to " + std::to_string(kRules - 1));
  }
  const size_t slots = kRuleSlots[rule], scalars = kRuleScalars[rule];
  const size_t per_weight = 2 + slots;
  const size_t weights = args.size() > scalars ? (args.size() - scalars) / per_weight : 0;
  if (weights == 0 || args.size() != weights * per_weight + scalars ||
      rets.size() != weights * (1 + slots)) {
    return ffi::Error::InvalidArgument(
        "keras optimizer update: rule " + std::to_string(rule) + " takes " +
        std::to_string(per_weight) + " operands a weight and " + std::to_string(scalars) +
        " scalars, and " + std::to_string(1 + slots) + " results a weight; got " +
        std::to_string(args.size()) + " operands and " + std::to_string(rets.size()) +
        " results");
  }
  UpdateWork work;
  work.weights.resize(weights);
  for (size_t j = 0; j < scalars; ++j) {
    const size_t index = weights * per_weight + j;
    auto buffer = args.get<ffi::Buffer<ffi::F32>>(index);
    if (!buffer.has_value() || buffer->element_count() != 1) {
      return ffi::Error::InvalidArgument("keras optimizer update: scalar operand " +
                                         std::to_string(index) +
                                         " is not a float32 array of one entry");
    }
    work.c[j] = *buffer->typed_data();
  }
  int64_t entries = 0;
  for (size_t w = 0; w < weights; ++w) {
    WeightArrays& arrays = work.weights[w];
    int64_t n = -1;
    for (size_t j = 0; j < per_weight; ++j) {
      const size_t index = w * per_weight + j;
      auto buffer = args.get<ffi::Buffer<ffi::F32>>(index);
      if (!buffer.has_value()) {
        return ffi::Error::InvalidArgument("keras optimizer update: operand " +
                                           std::to_string(index) + " is not a float32 array");
      }
      const int64_t count = static_cast<int64_t>(buffer->element_count());
      if (n >= 0 && count != n) {
        return ffi::Error::InvalidArgument(
            "keras optimizer update: operand " + std::to_string(index) + " has " +
            std::to_string(count) + " entries, its weight's gradient " + std::to_string(n));
      }
      n = count;
      arrays.in[j] = buffer->typed_data();
    }
    for (size_t j = 0; j < 1 + slots; ++j) {
      const size_t index = w * (1 + slots) + j;
      auto buffer = rets.get<ffi::Buffer<ffi::F32>>(index);
      if (!buffer.has_value() || static_cast<int64_t>((*buffer)->element_count()) != n) {
        return ffi::Error::InvalidArgument("keras optimizer update: result " +
                                           std::to_string(index) +
                                           " is not a float32 array of " + std::to_string(n) +
                                           " entries");
      }
      arrays.out[j] = (*buffer)->typed_data();
    }
    for (int64_t begin = 0; begin < n; begin += kUpdateBlock) {
      work.blocks.push_back({static_cast<int32_t>(w), begin, std::min(n, begin + kUpdateBlock)});
    }
    entries += n;
  }
  switch (rule) {
    case kSgd: UpdateAll<kSgd>(work, entries, pool); break;
    case kNesterov: UpdateAll<kNesterov>(work, entries, pool); break;
    case kRmsprop: UpdateAll<kRmsprop>(work, entries, pool); break;
    case kAdagrad: UpdateAll<kAdagrad>(work, entries, pool); break;
    case kAdadelta: UpdateAll<kAdadelta>(work, entries, pool); break;
    case kAdam: UpdateAll<kAdam>(work, entries, pool); break;
    case kAmsgrad: UpdateAll<kAmsgrad>(work, entries, pool); break;
    case kAdamax: UpdateAll<kAdamax>(work, entries, pool); break;
    default: UpdateAll<kNadam>(work, entries, pool); break;
  }
  return ffi::Error::Success();
}

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasKeepMask, KeepMask,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::U32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Attr<float>("keep"));

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasOnednnConvolution, Convolution,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .RemainingArgs()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Attr<int64_t>("pass")
                                  .Attr<ffi::Span<const int64_t>>("strides")
                                  .Attr<ffi::Span<const int64_t>>("pad_lo")
                                  .Attr<ffi::Span<const int64_t>>("pad_hi")
                                  .Attr<ffi::Span<const int64_t>>("dilation")
                                  .Attr<int64_t>("groups"));

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasBatchMoments, BatchMoments,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::ThreadPool>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>());

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasOnednnMatmul, Matmul,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::ThreadPool>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Attr<int64_t>("transpose_a")
                                  .Attr<int64_t>("transpose_b"));

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasScatterRows, ScatterRows,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::ThreadPool>()
                                  .Arg<ffi::Buffer<ffi::S32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>());

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasOnednnBatchNormBackward, NormBackward,
                              ffi::Ffi::Bind()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Arg<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Ret<ffi::Buffer<ffi::F32>>()
                                  .Attr<float>("epsilon"));

XLA_FFI_DEFINE_HANDLER_SYMBOL(KerasOptimizerUpdate, OptimizerUpdate,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::ThreadPool>()
                                  .RemainingArgs()
                                  .RemainingRets()
                                  .Attr<int64_t>("rule"));
