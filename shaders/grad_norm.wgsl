// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_(params, max_norm) computes it, without a
// readback to the host:
//   grad_sum_of_squares (once per gradient tensor): sums_of_squares[slot] = Σ grad²
//   grad_clip_factor (one invocation):              total_norm = √(Σ_slots sums_of_squares)
//                                                   clip_factor = min(1, max_norm / (total_norm + 1e-6))
// The optimizer kernel then multiplies every gradient element by clip_factor (shaders/adamw.wgsl).

struct Params {
  count: u32,     // elements of the gradient (grad_sum_of_squares) or number of slots (grad_clip_factor)
  slot: u32,      // index into sums_of_squares that receives this gradient's sum (grad_sum_of_squares)
  max_norm: f32,  // max_norm of clip_grad_norm_, used when CLIP_GRADIENTS is true (grad_clip_factor)
}

// Invocations of the one workgroup that reduces a gradient tensor, a power of two for the tree reduction.
override WORKGROUP_SIZE: u32 = 256;
// False when the optimizer has no max_norm: the total norm is still computed for logging, and the factor is 1.
override CLIP_GRADIENTS: bool = true;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums_of_squares: array<f32>;
// [total_norm, clip_factor]
@group(0) @binding(3) var<storage, read_write> clip_state: array<f32>;

var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;

// Dispatched as a single workgroup, so the sum is the same on every run and needs no partial-sum buffer. Each
// invocation strides over count / WORKGROUP_SIZE elements, so the cost grows linearly with the tensor size.
@compute @workgroup_size(WORKGROUP_SIZE)
fn grad_sum_of_squares(@builtin(local_invocation_index) lane: u32) {
  var sum = 0.0;
  for (var i = lane; i < params.count; i += WORKGROUP_SIZE) {
    let value = grad[i];
    sum += value * value;
  }

  scratch[lane] = sum;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      scratch[lane] = scratch[lane] + scratch[lane + stride];
    }
    workgroupBarrier();
  }

  if (lane == 0u) {
    sums_of_squares[params.slot] = scratch[0];
  }
}

@compute @workgroup_size(1)
fn grad_clip_factor() {
  var sum = 0.0;
  for (var slot = 0u; slot < params.count; slot++) {
    sum += sums_of_squares[slot];
  }
  let total_norm = sqrt(sum);
  clip_state[0] = total_norm;

  // torch divides by total_norm + 1e-6 and clamps the quotient to at most 1, so gradients are never scaled up.
  // A non-finite total norm gives a factor of 0 or NaN, as in torch with error_if_nonfinite=False.
  if (CLIP_GRADIENTS) {
    clip_state[1] = min(1.0, params.max_norm / (total_norm + 1e-6));
  } else {
    clip_state[1] = 1.0;
  }
}
