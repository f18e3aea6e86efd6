// Element-wise sum in place, for residual connections and the embedding sum.
// add_in_place: y[i] += x[i] over `count` elements of two tensors with the same shape.
// The backward of a sum is the identity for both operands, so it needs no kernel.

struct Params {
  count: u32,  // number of elements
}

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn element_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn add_in_place(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = element_index(id, groups);
  if (i >= params.count) {
    return;
  }
  y[i] += x[i];
}
