// LayerNorm over the last dimension, as in BERT: x [rows, hidden], gamma and beta [hidden].
// layernorm_forward:         y = (x − mean) · rstd · gamma + beta, with rstd = 1 / sqrt(var + eps) and the
//                            biased variance. Mean and rstd [rows] are cached for the backward.
// layernorm_backward:        dx [rows, hidden] from dy, recomputing x̂ = (x − mean) · rstd.
// layernorm_backward_params: dgamma = Σ_rows dy · x̂ and dbeta = Σ_rows dy [hidden], written or added.

struct Params {
  rows: u32,
  hidden: u32,
  eps: f32,  // added to the variance (BERT uses 1e-12)
}

// Threads per row in the row kernels, a power of two for the tree reduction.
override WORKGROUP_SIZE: u32 = 128;

// Workgroup shape of layernorm_backward_params: PARAM_COLUMNS adjacent columns (coalesced reads) times
// PARAM_ROW_LANES threads that split the rows of each column. PARAM_ROW_LANES must be a power of two.
override PARAM_COLUMNS: u32 = 32;
override PARAM_ROW_LANES: u32 = 8;

// True adds dgamma and dbeta to the values already in gamma_grad and beta_grad, for weights whose gradient
// collects contributions from several places. False overwrites them.
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;                // [rows, hidden]
@group(0) @binding(2) var<storage, read> gamma: array<f32>;            // [hidden]
@group(0) @binding(3) var<storage, read> beta: array<f32>;             // [hidden]
@group(0) @binding(4) var<storage, read_write> y: array<f32>;          // [rows, hidden]
@group(0) @binding(5) var<storage, read_write> row_mean: array<f32>;   // [rows], written by the forward
@group(0) @binding(6) var<storage, read_write> row_rstd: array<f32>;   // [rows], written by the forward
@group(0) @binding(7) var<storage, read> dy: array<f32>;               // [rows, hidden]
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;         // [rows, hidden]
@group(0) @binding(9) var<storage, read_write> gamma_grad: array<f32>; // [hidden]
@group(0) @binding(10) var<storage, read_write> beta_grad: array<f32>; // [hidden]

// Partial sums of one workgroup. The row kernels use the first WORKGROUP_SIZE entries, the parameter
// kernel PARAM_COLUMNS · PARAM_ROW_LANES, so the array is sized for the larger of the two.
var<workgroup> partial: array<vec2<f32>, max(WORKGROUP_SIZE, PARAM_COLUMNS * PARAM_ROW_LANES)>;

// Sums `value` over the workgroup of a row kernel and returns the total to every thread.
fn workgroup_sum(local: u32, value: vec2<f32>) -> vec2<f32> {
  partial[local] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (local < stride) {
      partial[local] += partial[local + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];

  // A later call overwrites `partial`, so every thread must have read the total first.
  workgroupBarrier();
  return total;
}

// Flat index of this workgroup, because grids over 65535 workgroups spill into the y dimension.
fn workgroup_index(group: vec3<u32>, groups: vec3<u32>) -> u32 {
  return group.x + group.y * groups.x;
}

// One workgroup per row. The variance is taken in a second pass over (x − mean)², which keeps its
// precision when |mean| is large compared with the standard deviation, unlike E[x²] − mean².
@compute @workgroup_size(WORKGROUP_SIZE)
fn layernorm_forward(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let row = workgroup_index(group, groups);
  if (row >= params.rows) {
    return;  // uniform for the whole workgroup, so the barriers below stay in uniform control flow
  }
  let hidden = params.hidden;
  let base = row * hidden;

  var sum = 0.0;
  for (var column = local; column < hidden; column += WORKGROUP_SIZE) {
    sum += x[base + column];
  }
  let mean = workgroup_sum(local, vec2<f32>(sum, 0.0)).x / f32(hidden);

  var squares = 0.0;
  for (var column = local; column < hidden; column += WORKGROUP_SIZE) {
    let centered = x[base + column] - mean;
    squares += centered * centered;
  }
  let variance = workgroup_sum(local, vec2<f32>(squares, 0.0)).x / f32(hidden);
  let rstd = 1.0 / sqrt(variance + params.eps);

  for (var column = local; column < hidden; column += WORKGROUP_SIZE) {
    let normalized = (x[base + column] - mean) * rstd;
    y[base + column] = normalized * gamma[column] + beta[column];
  }
  if (local == 0u) {
    row_mean[row] = mean;
    row_rstd[row] = rstd;
  }
}

// One workgroup per row. With g = dy · gamma and x̂ the normalized input,
// dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)), the means taken over the row.
@compute @workgroup_size(WORKGROUP_SIZE)
fn layernorm_backward(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let row = workgroup_index(group, groups);
  if (row >= params.rows) {
    return;
  }
  let hidden = params.hidden;
  let base = row * hidden;
  let mean = row_mean[row];
  let rstd = row_rstd[row];

  var sums = vec2<f32>(0.0);  // (Σ g, Σ g · x̂)
  for (var column = local; column < hidden; column += WORKGROUP_SIZE) {
    let g = dy[base + column] * gamma[column];
    let normalized = (x[base + column] - mean) * rstd;
    sums += vec2<f32>(g, g * normalized);
  }
  let means = workgroup_sum(local, sums) / f32(hidden);

  for (var column = local; column < hidden; column += WORKGROUP_SIZE) {
    let g = dy[base + column] * gamma[column];
    let normalized = (x[base + column] - mean) * rstd;
    dx[base + column] = rstd * (g - means.x - normalized * means.y);
  }
}

// Column reductions over rows, one workgroup per PARAM_COLUMNS columns. Each thread sums every
// PARAM_ROW_LANES-th row of its column, then a tree over the lanes adds the partial sums in a fixed
// order, so the result is deterministic (no float atomics).
@compute @workgroup_size(PARAM_COLUMNS, PARAM_ROW_LANES)
fn layernorm_backward_params(
  @builtin(local_invocation_id) local: vec3<u32>,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let column = workgroup_index(group, groups) * PARAM_COLUMNS + local.x;
  let hidden = params.hidden;

  var sums = vec2<f32>(0.0);  // (Σ dy · x̂, Σ dy)
  if (column < hidden) {
    for (var row = local.y; row < params.rows; row += PARAM_ROW_LANES) {
      let i = row * hidden + column;
      let normalized = (x[i] - row_mean[row]) * row_rstd[row];
      sums += vec2<f32>(dy[i] * normalized, dy[i]);
    }
  }

  let slot = local.y * PARAM_COLUMNS + local.x;
  partial[slot] = sums;
  workgroupBarrier();
  for (var stride = PARAM_ROW_LANES / 2u; stride > 0u; stride = stride / 2u) {
    if (local.y < stride) {
      partial[slot] += partial[slot + stride * PARAM_COLUMNS];
    }
    workgroupBarrier();
  }

  if (local.y == 0u && column < hidden) {
    let total = partial[local.x];
    if (ACCUMULATE) {
      gamma_grad[column] += total.x;
      beta_grad[column] += total.y;
    } else {
      gamma_grad[column] = total.x;
      beta_grad[column] = total.y;
    }
  }
}
