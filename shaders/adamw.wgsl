// One AdamW step on one parameter tensor, in the order torch.optim.AdamW (amsgrad=False) applies it:
//   g = grad · clip_factor                     (clip_factor from grad_clip_factor in shaders/grad_norm.wgsl)
//   p = p · (1 − lr·weight_decay)              (decoupled weight decay)
//   m = β1·m + (1 − β1)·g
//   v = β2·v + (1 − β2)·g²
//   p = p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
// The grad buffer itself is left unclipped.

struct Params {
  count: u32,                   // elements of the parameter
  decay_factor: f32,            // 1 − lr·weight_decay
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,         // 1 − β1, computed in float64 on the host
  one_minus_beta2: f32,         // 1 − β2, computed in float64 on the host
  step_size: f32,               // lr / (1 − β1ᵗ)
  bias_correction2_sqrt: f32,   // √(1 − β2ᵗ)
  eps: f32,
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
// First and second moment estimates, zero before step 1.
@group(0) @binding(3) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(4) var<storage, read_write> exp_avg_sq: array<f32>;
// [total_norm, clip_factor]
@group(0) @binding(5) var<storage, read> clip_state: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn adamw_step(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  let g = grad[i] * clip_state[1];
  let decayed = param[i] * params.decay_factor;

  let m = params.beta1 * exp_avg[i] + params.one_minus_beta1 * g;
  let v = params.beta2 * exp_avg_sq[i] + params.one_minus_beta2 * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;

  let denominator = sqrt(v) / params.bias_correction2_sqrt + params.eps;
  param[i] = decayed - params.step_size * m / denominator;
}
