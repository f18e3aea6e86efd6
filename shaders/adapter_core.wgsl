// The r×r core T of an MTLoRA adapter (ΔW = s·B·T·A), built from its factors C and D, and the gradient
// of the loss with respect to C and D given dT = ∂L/∂T [rank, rank]. LoRA has no core (T = I) and SHIM
// uses C itself as T, so neither needs a forward entry point here.
//
//   method  T        dC                   dD
//   SHIM    C        dT                   –
//   ICFM    C·Cᵀ     (dT + dTᵀ)·C         –
//   CTCM    C·D      dT·Dᵀ                Cᵀ·dT
//   DTSM    C + D    dT                   dT
//
// One invocation per element (i, j) of the r×r result; r is small (≤ 64 in practice), so the inner
// loops over r need no tiling. With `accumulate` = 1 the gradients are added to what dC and dD hold.

struct Params {
  rank: u32,
  accumulate: u32,  // 0: overwrite dC/dD (their old contents are never read), 1: add to them
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> c: array<f32>;             // C [rank, rank]
@group(0) @binding(2) var<storage, read> d: array<f32>;             // D [rank, rank]
@group(0) @binding(3) var<storage, read_write> t: array<f32>;       // T [rank, rank]
@group(0) @binding(4) var<storage, read> dt: array<f32>;            // dT [rank, rank]
@group(0) @binding(5) var<storage, read_write> dc: array<f32>;      // dC [rank, rank]
@group(0) @binding(6) var<storage, read_write> dd: array<f32>;      // dD [rank, rank]

fn store_dc(index: u32, value: f32) {
  dc[index] = select(value, dc[index] + value, params.accumulate == 1u);
}

fn store_dd(index: u32, value: f32) {
  dd[index] = select(value, dd[index] + value, params.accumulate == 1u);
}

// ---- forward: T from C (and D) ----

@compute @workgroup_size(8, 8)
fn icfm_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < r; k++) {
    sum += c[i * r + k] * c[j * r + k];
  }
  t[i * r + j] = sum;
}

@compute @workgroup_size(8, 8)
fn ctcm_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < r; k++) {
    sum += c[i * r + k] * d[k * r + j];
  }
  t[i * r + j] = sum;
}

@compute @workgroup_size(8, 8)
fn dtsm_forward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  t[i * r + j] = c[i * r + j] + d[i * r + j];
}

// ---- backward: dC (and dD) from dT ----

@compute @workgroup_size(8, 8)
fn shim_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  store_dc(i * r + j, dt[i * r + j]);
}

@compute @workgroup_size(8, 8)
fn icfm_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  // T = C·Cᵀ is symmetric in C, so both factors contribute: dC = dT·C + dTᵀ·C.
  var sum = 0.0;
  for (var k = 0u; k < r; k++) {
    sum += (dt[i * r + k] + dt[k * r + i]) * c[k * r + j];
  }
  store_dc(i * r + j, sum);
}

@compute @workgroup_size(8, 8)
fn ctcm_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  var grad_c = 0.0;
  var grad_d = 0.0;
  for (var k = 0u; k < r; k++) {
    grad_c += dt[i * r + k] * d[j * r + k];
    grad_d += c[k * r + i] * dt[k * r + j];
  }
  store_dc(i * r + j, grad_c);
  store_dd(i * r + j, grad_d);
}

@compute @workgroup_size(8, 8)
fn dtsm_backward(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = params.rank;
  let i = id.y;
  let j = id.x;
  if (i >= r || j >= r) {
    return;
  }
  let grad = dt[i * r + j];
  store_dc(i * r + j, grad);
  store_dd(i * r + j, grad);
}
