// Multi-head scaled dot-product attention with a key padding mask, as BERT runs it after the Q/K/V
// projections. Per (batch, head), with d = head_dim:
//   attention_scores:             probs  = q·kᵀ/√d + (1 − mask)·MASKED_SCORE_BIAS   (scores, before softmax)
//   attention_softmax_forward:    probs  = softmax(probs) over keys, in place
//   attention_context_forward:    context = probs·v
// and backward from dContext:
//   attention_context_backward_values:  dv     = probsᵀ·dContext
//   attention_context_backward_probs:   dscores = dContext·vᵀ                       (dProbs, before softmax backward)
//   attention_softmax_backward:         dscores = probs ⊙ (dProbs − rowsum(dProbs ⊙ probs)), in place
//   attention_scores_backward_query:    dq     = dScores·k/√d
//   attention_scores_backward_key:      dk     = dScoresᵀ·q/√d
//
// Layouts (row-major): q, k, v, context and their gradients are [batch, tokens, heads·head_dim], the layout a
// linear layer produces, so head h of token t is the slice [h·head_dim, (h+1)·head_dim) of row t.
// probs and dscores are [batch, heads, tokens, tokens], indexed [b, h, query, key].
// mask is [batch, tokens] i32 and masks keys only: 0 marks padding, any other value a real token.

struct Params {
  batch: u32,
  tokens: u32,
  heads: u32,
  head_dim: u32,
  scale: f32,  // 1/√head_dim
}

// Invocations per workgroup of the per-element entry points.
override WORKGROUP_SIZE: u32 = 256;
// Invocations per workgroup of the two softmax entry points, which run one workgroup per row. It must be a power
// of two for the tree reduction, and each invocation strides over the keys of rows longer than this.
override ROW_WORKGROUP_SIZE: u32 = 64;

// torch.finfo(torch.float32).min, the bias Hugging Face adds to padded keys. Unlike −∞ it keeps a row whose
// keys are all padded finite: every score rounds to this value, so softmax returns 1/tokens for each key.
const MASKED_SCORE_BIAS: f32 = -0x1.fffffep+127f;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<i32>;
// Scores after attention_scores and probabilities after attention_softmax_forward. The backward only reads it.
@group(0) @binding(5) var<storage, read_write> probs: array<f32>;
@group(0) @binding(6) var<storage, read_write> context: array<f32>;
@group(0) @binding(7) var<storage, read> dcontext: array<f32>;
// dProbs after attention_context_backward_probs, dScores after attention_softmax_backward.
@group(0) @binding(8) var<storage, read_write> dscores: array<f32>;
@group(0) @binding(9) var<storage, read_write> dq: array<f32>;
@group(0) @binding(10) var<storage, read_write> dk: array<f32>;
@group(0) @binding(11) var<storage, read_write> dv: array<f32>;

var<workgroup> row_scratch: array<f32, ROW_WORKGROUP_SIZE>;

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

fn hidden_size() -> u32 {
  return params.heads * params.head_dim;
}

// Position of one entry of a [batch, heads, tokens, tokens] tensor.
struct ScoreIndex {
  batch: u32,
  head: u32,
  query: u32,
  key: u32,
}

fn score_index(i: u32) -> ScoreIndex {
  let tokens = params.tokens;
  let batch_head = i / (tokens * tokens);
  return ScoreIndex(batch_head / params.heads, batch_head % params.heads, (i / tokens) % tokens, i % tokens);
}

// Position of one entry of a [batch, tokens, heads·head_dim] tensor.
struct HiddenIndex {
  batch: u32,
  token: u32,
  head: u32,
  dim: u32,
}

fn hidden_index(i: u32) -> HiddenIndex {
  let hidden = hidden_size();
  let row = i / hidden;
  return HiddenIndex(row / params.tokens, row % params.tokens, (i % hidden) / params.head_dim, i % params.head_dim);
}

// Offset of element 0 of head `head` in token `token` of sequence `batch`, in a [batch, tokens, hidden] tensor.
fn head_offset(batch: u32, token: u32, head: u32) -> u32 {
  return (batch * params.tokens + token) * hidden_size() + head * params.head_dim;
}

// Offset of element [batch, head, query, 0] in a [batch, heads, tokens, tokens] tensor.
fn score_row_offset(batch: u32, head: u32, query: u32) -> u32 {
  return ((batch * params.heads + head) * params.tokens + query) * params.tokens;
}

// Returns the sum of `value` over the workgroup to every invocation. Every invocation of the workgroup must call it.
fn workgroup_sum(lane: u32, value: f32) -> f32 {
  row_scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ROW_WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      row_scratch[lane] = row_scratch[lane] + row_scratch[lane + stride];
    }
    workgroupBarrier();
  }
  let total = row_scratch[0];
  // The next reduction overwrites row_scratch, so every invocation reads the total first.
  workgroupBarrier();
  return total;
}

// Maximum of `value` over the workgroup, with the same calling rules as workgroup_sum.
fn workgroup_max(lane: u32, value: f32) -> f32 {
  row_scratch[lane] = value;
  workgroupBarrier();
  for (var stride = ROW_WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      row_scratch[lane] = max(row_scratch[lane], row_scratch[lane + stride]);
    }
    workgroupBarrier();
  }
  let result = row_scratch[0];
  workgroupBarrier();
  return result;
}

// ---- Forward ------------------------------------------------------------------------------------

// One invocation per score, [batch, heads, tokens, tokens].
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_scores(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.heads * params.tokens * params.tokens) {
    return;
  }
  let at = score_index(i);
  let query_base = head_offset(at.batch, at.query, at.head);
  let key_base = head_offset(at.batch, at.key, at.head);

  var sum = 0.0;
  for (var d = 0u; d < params.head_dim; d++) {
    sum += q[query_base + d] * k[key_base + d];
  }

  let is_padding = mask[at.batch * params.tokens + at.key] == 0;
  probs[i] = sum * params.scale + select(0.0, MASKED_SCORE_BIAS, is_padding);
}

// One workgroup per row of probs (one query of one head), replacing the scores with their softmax over keys.
@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn attention_softmax_forward(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let row = group.x + group.y * groups.x;
  if (row >= params.batch * params.heads * params.tokens) {
    return;
  }
  let base = row * params.tokens;

  // Subtracting the row maximum keeps exp() from overflowing. A padded key's score is MASKED_SCORE_BIAS,
  // the smallest f32, so it is a valid starting value for the maximum.
  var local_max = MASKED_SCORE_BIAS;
  for (var key = lane; key < params.tokens; key += ROW_WORKGROUP_SIZE) {
    local_max = max(local_max, probs[base + key]);
  }
  let row_max = workgroup_max(lane, local_max);

  var local_sum = 0.0;
  for (var key = lane; key < params.tokens; key += ROW_WORKGROUP_SIZE) {
    local_sum += exp(probs[base + key] - row_max);
  }
  let row_sum = workgroup_sum(lane, local_sum);

  // row_sum >= 1, because the key that holds the maximum contributes exp(0).
  for (var key = lane; key < params.tokens; key += ROW_WORKGROUP_SIZE) {
    probs[base + key] = exp(probs[base + key] - row_max) / row_sum;
  }
}

// One invocation per element of context, [batch, tokens, heads·head_dim].
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_context_forward(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.tokens * hidden_size()) {
    return;
  }
  let at = hidden_index(i);
  let probs_row = score_row_offset(at.batch, at.head, at.token);

  var sum = 0.0;
  for (var key = 0u; key < params.tokens; key++) {
    sum += probs[probs_row + key] * v[head_offset(at.batch, key, at.head) + at.dim];
  }
  context[i] = sum;
}

// ---- Backward -----------------------------------------------------------------------------------

// One invocation per element of dv, [batch, tokens, heads·head_dim]: dv[key] = Σ_query probs[query, key]·dContext[query].
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_context_backward_values(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.tokens * hidden_size()) {
    return;
  }
  let at = hidden_index(i);
  let key = at.token;

  var sum = 0.0;
  for (var query = 0u; query < params.tokens; query++) {
    let p = probs[score_row_offset(at.batch, at.head, query) + key];
    sum += p * dcontext[head_offset(at.batch, query, at.head) + at.dim];
  }
  dv[i] = sum;
}

// One invocation per element of dProbs, [batch, heads, tokens, tokens]: dProbs[query, key] = dContext[query]·v[key].
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_context_backward_probs(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.heads * params.tokens * params.tokens) {
    return;
  }
  let at = score_index(i);
  let dcontext_base = head_offset(at.batch, at.query, at.head);
  let value_base = head_offset(at.batch, at.key, at.head);

  var sum = 0.0;
  for (var d = 0u; d < params.head_dim; d++) {
    sum += dcontext[dcontext_base + d] * v[value_base + d];
  }
  dscores[i] = sum;
}

// One workgroup per row, replacing dProbs with dScores = probs ⊙ (dProbs − Σ_key dProbs ⊙ probs).
@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn attention_softmax_backward(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  let row = group.x + group.y * groups.x;
  if (row >= params.batch * params.heads * params.tokens) {
    return;
  }
  let base = row * params.tokens;

  var local_dot = 0.0;
  for (var key = lane; key < params.tokens; key += ROW_WORKGROUP_SIZE) {
    local_dot += dscores[base + key] * probs[base + key];
  }
  let row_dot = workgroup_sum(lane, local_dot);

  for (var key = lane; key < params.tokens; key += ROW_WORKGROUP_SIZE) {
    dscores[base + key] = probs[base + key] * (dscores[base + key] - row_dot);
  }
}

// One invocation per element of dq, [batch, tokens, heads·head_dim]: dq[query] = Σ_key dScores[query, key]·k[key]/√d.
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_scores_backward_query(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.tokens * hidden_size()) {
    return;
  }
  let at = hidden_index(i);
  let dscores_row = score_row_offset(at.batch, at.head, at.token);

  var sum = 0.0;
  for (var key = 0u; key < params.tokens; key++) {
    sum += dscores[dscores_row + key] * k[head_offset(at.batch, key, at.head) + at.dim];
  }
  dq[i] = sum * params.scale;
}

// One invocation per element of dk, [batch, tokens, heads·head_dim]: dk[key] = Σ_query dScores[query, key]·q[query]/√d.
@compute @workgroup_size(WORKGROUP_SIZE)
fn attention_scores_backward_key(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.batch * params.tokens * hidden_size()) {
    return;
  }
  let at = hidden_index(i);
  let key = at.token;

  var sum = 0.0;
  for (var query = 0u; query < params.tokens; query++) {
    let score_gradient = dscores[score_row_offset(at.batch, at.head, query) + key];
    sum += score_gradient * q[head_offset(at.batch, query, at.head) + at.dim];
  }
  dk[i] = sum * params.scale;
}
