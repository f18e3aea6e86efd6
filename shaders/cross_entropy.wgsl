// Softmax cross-entropy: logits [rows, classes], labels [rows] (i32) → the mean loss over counted rows.
// A row is counted when its label is in [0, classes). The ignore index −100 (masked-language-model positions
// that are not predicted) is never counted. Another label outside [0, classes) is skipped the same way on
// the GPU, while the TypeScript side rejects it when the labels come from the host.
// cross_entropy_rows:     log_sum_exp[r] = log Σ_c exp(logits[r, c]), row_loss[r] = log_sum_exp[r] − logits[r, label]
// cross_entropy_mean:     loss = Σ row_loss / valid_rows over counted rows (0 when no row is counted)
// cross_entropy_backward: dlogits = (softmax − onehot(label)) · loss_grad / valid_rows, 0 in rows not counted

struct Params {
  rows: u32,
  classes: u32,
  loss_grad: f32,  // upstream gradient of the scalar loss, 1 when the loss is the objective
}

// Threads per workgroup, a power of two for the tree reductions.
override WORKGROUP_SIZE: u32 = 128;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;            // [rows, classes]
@group(0) @binding(2) var<storage, read> labels: array<i32>;            // [rows]
@group(0) @binding(3) var<storage, read_write> log_sum_exp: array<f32>; // [rows], cached for the backward
@group(0) @binding(4) var<storage, read_write> row_loss: array<f32>;    // [rows], 0 in rows not counted
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;        // [1]
@group(0) @binding(6) var<storage, read_write> valid_rows: array<u32>;  // [1], cached for the backward
@group(0) @binding(7) var<storage, read_write> dlogits: array<f32>;     // [rows, classes]

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;
var<workgroup> partial_count: array<u32, WORKGROUP_SIZE>;

fn is_counted(label: i32) -> bool {
  return label >= 0 && u32(label) < params.classes;
}

fn workgroup_max(local: u32, value: f32) -> f32 {
  partial[local] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (local < stride) {
      partial[local] = max(partial[local], partial[local + stride]);
    }
    workgroupBarrier();
  }
  let total = partial[0];

  // A later reduction overwrites `partial`, so every thread must have read the result first.
  workgroupBarrier();
  return total;
}

fn workgroup_sum(local: u32, value: f32) -> f32 {
  partial[local] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (local < stride) {
      partial[local] += partial[local + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

// One workgroup per row. The row maximum is subtracted before exp, so logits of any size stay finite, and
// the loss is formed as (max − logit[label]) + log Σ exp(logit − max) to avoid cancelling two large terms.
@compute @workgroup_size(WORKGROUP_SIZE)
fn cross_entropy_rows(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let row = group.x + group.y * groups.x;
  if (row >= params.rows) {
    return;  // uniform for the whole workgroup, so the barriers below stay in uniform control flow
  }
  let classes = params.classes;
  let base = row * classes;

  var thread_max = logits[base];
  for (var column = local; column < classes; column += WORKGROUP_SIZE) {
    thread_max = max(thread_max, logits[base + column]);
  }
  let row_max = workgroup_max(local, thread_max);

  var thread_sum = 0.0;
  for (var column = local; column < classes; column += WORKGROUP_SIZE) {
    thread_sum += exp(logits[base + column] - row_max);
  }
  let log_sum = log(workgroup_sum(local, thread_sum));

  if (local == 0u) {
    log_sum_exp[row] = row_max + log_sum;
    let label = labels[row];
    var value = 0.0;
    if (is_counted(label)) {
      value = (row_max - logits[base + u32(label)]) + log_sum;
    }
    row_loss[row] = value;
  }
}

// A single workgroup adds the row losses and counts the counted rows, each thread taking every
// WORKGROUP_SIZE-th row and a tree combining the threads, so the sum is deterministic (no atomics).
@compute @workgroup_size(WORKGROUP_SIZE)
fn cross_entropy_mean(@builtin(local_invocation_index) local: u32) {
  var thread_sum = 0.0;
  var thread_count = 0u;
  for (var row = local; row < params.rows; row += WORKGROUP_SIZE) {
    if (is_counted(labels[row])) {
      thread_sum += row_loss[row];
      thread_count += 1u;
    }
  }

  partial[local] = thread_sum;
  partial_count[local] = thread_count;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (local < stride) {
      partial[local] += partial[local + stride];
      partial_count[local] += partial_count[local + stride];
    }
    workgroupBarrier();
  }

  if (local == 0u) {
    let count = partial_count[0];
    valid_rows[0] = count;
    loss[0] = select(0.0, partial[0] / f32(count), count > 0u);
  }
}

// One invocation per logit.
@compute @workgroup_size(WORKGROUP_SIZE)
fn cross_entropy_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.rows * params.classes) {
    return;
  }
  let row = i / params.classes;
  let column = i % params.classes;
  let label = labels[row];

  var gradient = 0.0;
  if (is_counted(label)) {
    // valid_rows[0] >= 1 here, because this row is counted.
    let probability = exp(logits[i] - log_sum_exp[row]);
    let one_hot = select(0.0, 1.0, u32(label) == column);
    gradient = (probability - one_hot) * params.loss_grad / f32(valid_rows[0]);
  }
  dlogits[i] = gradient;
}
