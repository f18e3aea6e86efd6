// Mean squared error for regression: predictions and targets [rows] → loss [1].
// mse_forward:  loss  = Σ (pred − target)² / rows
// mse_backward: dpred = 2 (pred − target) / rows · loss_grad

struct Params {
  count: u32,      // rows
  loss_grad: f32,  // upstream gradient of the scalar loss, 1 when the loss is the objective
}

// Threads per workgroup, a power of two for the tree reduction in mse_forward.
override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pred: array<f32>;        // [rows]
@group(0) @binding(2) var<storage, read> targets: array<f32>;     // [rows]
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;  // [1]
@group(0) @binding(4) var<storage, read_write> dpred: array<f32>; // [rows]

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

// A single workgroup: each thread adds every WORKGROUP_SIZE-th squared error, then a tree combines the
// threads in a fixed order, so the sum is deterministic (no atomics).
@compute @workgroup_size(WORKGROUP_SIZE)
fn mse_forward(@builtin(local_invocation_index) local: u32) {
  var thread_sum = 0.0;
  for (var i = local; i < params.count; i += WORKGROUP_SIZE) {
    let error = pred[i] - targets[i];
    thread_sum += error * error;
  }

  partial[local] = thread_sum;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (local < stride) {
      partial[local] += partial[local + stride];
    }
    workgroupBarrier();
  }

  if (local == 0u) {
    loss[0] = partial[0] / f32(params.count);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn mse_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  dpred[i] = 2.0 * (pred[i] - targets[i]) / f32(params.count) * params.loss_grad;
}
