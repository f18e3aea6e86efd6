// Embedding lookup: ids [tokens] (i32), table [vocab, hidden] → out [tokens, hidden].
// embedding_forward:  out[t, :] = table[ids[t], :]
// embedding_backward: table_grad[v, :] += Σ_{t : ids[t] = v} d_out[t, :]
// An id outside [0, vocab) gives a zero row in the forward and adds nothing in the backward. The
// TypeScript side rejects such ids when they come from the host.

struct Params {
  tokens: u32,
  hidden: u32,
  vocab: u32,
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;               // [tokens]
@group(0) @binding(2) var<storage, read> table: array<f32>;             // [vocab, hidden]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;         // [tokens, hidden]
@group(0) @binding(4) var<storage, read> d_out: array<f32>;             // [tokens, hidden]
@group(0) @binding(5) var<storage, read_write> table_grad: array<f32>;  // [vocab, hidden]

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

fn is_valid_id(token_id: i32) -> bool {
  return token_id >= 0 && u32(token_id) < params.vocab;
}

// One invocation per output element.
@compute @workgroup_size(WORKGROUP_SIZE)
fn embedding_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.tokens * params.hidden) {
    return;
  }
  let token = i / params.hidden;
  let column = i % params.hidden;
  let token_id = ids[token];
  var value = 0.0;
  if (is_valid_id(token_id)) {
    value = table[u32(token_id) * params.hidden + column];
  }
  out[i] = value;
}

// One invocation per hidden column, looping over the tokens in order. Only this invocation touches column
// `column` of table_grad, so repeated ids add up without float atomics and the sum order is fixed.
@compute @workgroup_size(WORKGROUP_SIZE)
fn embedding_backward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let column = element_index(id, groups);
  if (column >= params.hidden) {
    return;
  }
  for (var token = 0u; token < params.tokens; token++) {
    let token_id = ids[token];
    if (is_valid_id(token_id)) {
      table_grad[u32(token_id) * params.hidden + column] += d_out[token * params.hidden + column];
    }
  }
}
