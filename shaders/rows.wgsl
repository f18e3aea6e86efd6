// Strided row selection over a row-major [rows, cols] matrix, e.g. the [CLS] row (token 0) of each
// sequence in [batch·tokens, hidden]: selected row r is source row r · stride + offset.
// gather_rows:  out[r, c] = x[r · stride + offset, c]        for r < count
// scatter_rows: dx[r · stride + offset, c] += dy[r, c]       for r < count; other rows of dx are unchanged.
// Selected rows never repeat (stride ≥ 1), so each element of dx has at most one writer.

struct Params {
  count: u32,   // selected rows
  cols: u32,    // elements per row
  stride: u32,  // source rows between two selected rows
  offset: u32,  // source row of the first selected row
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

// One invocation per element of the selected [count, cols] block.
fn source_index(i: u32) -> u32 {
  let row = i / params.cols;
  let col = i % params.cols;
  return (row * params.stride + params.offset) * params.cols + col;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gather_rows(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count * params.cols) {
    return;
  }
  out[i] = x[source_index(i)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scatter_rows(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count * params.cols) {
    return;
  }
  dx[source_index(i)] += dy[i];
}
