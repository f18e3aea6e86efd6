// Inverted dropout with a counter-based random number generator: element i is kept when a hash of
// (i, seed) is at least threshold, so the backward recomputes the same mask from (seed, i) without storing it,
// and a seed reproduces a run. Kept elements are scaled by 1 / (1 − p).
// dropout_forward:  y  = x · mask / (1 − p)
// dropout_backward: dx = dy · mask / (1 − p)

struct Params {
  count: u32,      // number of elements
  seed: u32,
  threshold: u32,  // floor(p · 2³²): a hash below it drops the element, so P(drop) = threshold / 2³² ≈ p
  scale: f32,      // 1 / (1 − p)
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

// The PCG hash ("pcg" in Jarzynski and Olano, "Hash Functions for GPU Rendering", JCGT 9(3), 2020), a
// bijection on u32. All arithmetic wraps modulo 2³².
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Random u32 for element i. The outer round keeps the masks of two seeds from being index permutations of
// each other, as a single pcg_hash(i ^ key) would make them. The paper's pcg2d(i, seed) is not used because
// seeds that differ only in high bits (7 and 7 + 2¹⁶) give correlated masks with it.
// tools/reference/kernel_refs/norm_losses.py implements the same function.
fn element_random(i: u32) -> u32 {
  return pcg_hash(pcg_hash(i ^ pcg_hash(params.seed)) + params.seed);
}

// 1 / (1 − p) for a kept element, 0 for a dropped one.
fn mask_scale(i: u32) -> f32 {
  return select(0.0, params.scale, element_random(i) >= params.threshold);
}

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn dropout_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  y[i] = x[i] * mask_scale(i);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn dropout_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  dx[i] = dy[i] * mask_scale(i);
}
