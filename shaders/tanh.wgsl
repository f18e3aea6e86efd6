// Hyperbolic tangent, used by BERT's pooler.
// tanh_forward:  y  = tanh(x)
// tanh_backward: dx = dy · (1 − y²), from the forward output y.

struct Params {
  count: u32,  // number of elements
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// tanh without the built-in, because the built-in may be evaluated as sinh/cosh and overflow to NaN for
// large |x| (SwiftShader 5.0.0 under Dawn returns NaN for tanh(100)). For |x| >= 0.25 the result is
// (1 − t) / (1 + t) with t = exp(−2|x|) in (0, 1], which cannot overflow and tends to ±1. Below 0.25 the
// subtraction 1 − t would lose relative precision, so the Taylor series up to x⁹ is used there, with a
// truncation error under 1e-8 · |x|.
fn safe_tanh(value: f32) -> f32 {
  let magnitude = abs(value);
  if (magnitude < 0.25) {
    let square = value * value;
    return value * (1.0 + square * (-1.0 / 3.0 + square * (2.0 / 15.0 + square * (-17.0 / 315.0 + square * (62.0 / 2835.0)))));
  }
  let t = exp(-2.0 * magnitude);
  return sign(value) * (1.0 - t) / (1.0 + t);
}

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn tanh_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  y[i] = safe_tanh(x[i]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn tanh_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  let output = y[i];
  dx[i] = dy[i] * (1.0 - output * output);
}
