// Bias of a linear layer over row-major [M, N] activations (M = batch · tokens, N = features).
// bias_add_forward: y[m, n] += bias[n], in place on y.
// bias_backward:    dbias[n] = Σ_m dy[m, n] + beta · dbias[n], so beta = 1 accumulates over
//                   micro-batches and beta = 0 overwrites (dbias is then left unread).

struct Params {
  rows: u32,  // M
  cols: u32,  // N
  beta: f32,  // bias_backward only
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dbias: array<f32>;

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

// One invocation per element of y.
@compute @workgroup_size(WORKGROUP_SIZE)
fn bias_add_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.rows * params.cols) {
    return;
  }
  y[i] += bias[i % params.cols];
}

// One invocation per column: neighbouring invocations read neighbouring addresses of each row.
@compute @workgroup_size(WORKGROUP_SIZE)
fn bias_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let col = element_index(id, groups);
  if (col >= params.cols) {
    return;
  }
  var sum = 0.0;
  for (var row = 0u; row < params.rows; row++) {
    sum += dy[row * params.cols + col];
  }
  if (params.beta != 0.0) {
    sum += params.beta * dbias[col];
  }
  dbias[col] = sum;
}
