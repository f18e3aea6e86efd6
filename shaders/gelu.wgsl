// GELU in the exact erf form that BERT uses: gelu(x) = x · Φ(x), Φ the standard normal CDF.
// gelu_forward:  y  = x · Φ(x)
// gelu_backward: dx = dy · (Φ(x) + x · φ(x)), φ the standard normal density.

struct Params {
  count: u32,  // number of elements
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// erfc(z) for z >= 0 with fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes 2nd ed. §6.2).
fn erfc_nonnegative(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(poly);
}

// Φ(x) = erfc(-x / √2) / 2, evaluated on the side that keeps full relative precision in both tails.
fn normal_cdf(value: f32) -> f32 {
  let z = abs(value) * 0.70710678118654752;
  let tail = 0.5 * erfc_nonnegative(z);
  return select(1.0 - tail, tail, value < 0.0);
}

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gelu_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  let value = x[i];
  y[i] = value * normal_cdf(value);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gelu_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  let value = x[i];
  let density = 0.3989422804014327 * exp(-0.5 * value * value);
  dx[i] = dy[i] * (normal_cdf(value) + value * density);
}
