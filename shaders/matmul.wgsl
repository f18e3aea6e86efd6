// General matrix multiply in f32: C[M, N] = alpha · op(A) · op(B) + beta · C, with op(X) = X or Xᵀ.
//
// Stored layouts (row-major):
//   A is [M, K], or [K, M] when TRANSPOSE_A
//   B is [K, N], or [N, K] when TRANSPOSE_B
//   C is [M, N]
// A linear layer uses three of the combinations: y = x·Wᵀ (TRANSPOSE_B), dx = dy·W (plain) and
// dW = dyᵀ·x (TRANSPOSE_A).
//
// Each invocation computes a BLOCK×BLOCK block of C in registers, as (BLOCK/4)² tiles of 4×4, and reads
// A and B straight from the storage buffers without workgroup memory. The reason is SwiftShader
// (Vulkan on the CPU): it runs 4 invocations as the 4 lanes of a SIMD register, so every f32 read
// from a storage buffer is a 4-lane gather that costs far more than a multiply-add, and a workgroup
// barrier switches coroutines. A block of B×B elements needs 2·B reads per step of k for B² multiply-adds,
// so large blocks (16) amortise the gathers. GPUs prefer small blocks (4) and many invocations.
//
// A and B are bound as array<vec4<f32>> (the engine pads every buffer to 16 bytes). When the contiguous
// dimension of a stored operand is a multiple of 4, A_VEC4 / B_VEC4 are true and each row is read one
// vec4 at a time; otherwise the four elements are read one by one from the same binding.
//
// Rows and columns of a block past M or N are not zero-filled: their indices are clamped into the
// matrix, which gives finite values in elements of C that are never stored. Only the K dimension must
// add zeros, so the steps of 4 along k clamp the index too and zero the rows of op(B) past K.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  alpha: f32,
  beta: f32,  // 0 leaves C unread, so a NaN-filled C is overwritten
}

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
// True when A's contiguous dimension (K, or M when TRANSPOSE_A) is a multiple of 4.
override A_VEC4: bool = false;
// True when B's contiguous dimension (N, or K when TRANSPOSE_B) is a multiple of 4.
override B_VEC4: bool = false;
// Rows and columns of C per invocation: 4, 8 or 16.
override BLOCK: u32 = 16;
override WORKGROUP_X: u32 = 4;  // invocations along N
override WORKGROUP_Y: u32 = 4;  // invocations along M

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// ---- Loads ----------------------------------------------------------------------------------------

// Stored A[row, col..col+3] of a [rows, cols] matrix, with the row and the columns clamped into range.
// On the vec4 path col is a multiple of 4, so clamping it to cols - 4 keeps the vec4 aligned.
fn load_a(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
  let start = min(row, rows - 1u) * cols;
  if (A_VEC4) {
    return a[(start + min(col, cols - 4u)) >> 2u];
  }
  let last = start + cols - 1u;
  let i = start + col;
  let i0 = min(i, last);
  let i1 = min(i + 1u, last);
  let i2 = min(i + 2u, last);
  let i3 = min(i + 3u, last);
  return vec4<f32>(a[i0 >> 2u][i0 & 3u], a[i1 >> 2u][i1 & 3u], a[i2 >> 2u][i2 & 3u], a[i3 >> 2u][i3 & 3u]);
}

// Stored B[row, col..col+3], clamped like load_a.
fn load_b(row: u32, col: u32, rows: u32, cols: u32) -> vec4<f32> {
  let start = min(row, rows - 1u) * cols;
  if (B_VEC4) {
    return b[(start + min(col, cols - 4u)) >> 2u];
  }
  let last = start + cols - 1u;
  let i = start + col;
  let i0 = min(i, last);
  let i1 = min(i + 1u, last);
  let i2 = min(i + 2u, last);
  let i3 = min(i + 3u, last);
  return vec4<f32>(b[i0 >> 2u][i0 & 3u], b[i1 >> 2u][i1 & 3u], b[i2 >> 2u][i2 & 3u], b[i3 >> 2u][i3 & 3u]);
}

// op(A)[m..m+3, k0..k0+3] as a matrix whose column r is row m + r of op(A) over k0..k0+3.
fn a_tile(m: u32, k0: u32) -> mat4x4<f32> {
  let rows = params.m;
  let depth = params.k;
  if (TRANSPOSE_A) {
    // Stored rows k0..k0+3 run along m: read them and transpose.
    return transpose(mat4x4<f32>(load_a(k0, m, depth, rows), load_a(k0 + 1u, m, depth, rows),
                                 load_a(k0 + 2u, m, depth, rows), load_a(k0 + 3u, m, depth, rows)));
  }
  return mat4x4<f32>(load_a(m, k0, rows, depth), load_a(m + 1u, k0, rows, depth),
                     load_a(m + 2u, k0, rows, depth), load_a(m + 3u, k0, rows, depth));
}

// op(B)[k0..k0+3, n..n+3] as a matrix whose column j is row k0 + j of op(B) over n..n+3, zero where
// k0 + j >= K (the last step when K is not a multiple of 4).
fn b_tile(k0: u32, n: u32) -> mat4x4<f32> {
  let cols = params.n;
  let depth = params.k;
  var tile: mat4x4<f32>;
  if (TRANSPOSE_B) {
    // Stored rows n..n+3 run along k: read them and transpose.
    tile = transpose(mat4x4<f32>(load_b(n, k0, cols, depth), load_b(n + 1u, k0, cols, depth),
                                 load_b(n + 2u, k0, cols, depth), load_b(n + 3u, k0, cols, depth)));
  } else {
    tile = mat4x4<f32>(load_b(k0, n, depth, cols), load_b(k0 + 1u, n, depth, cols),
                       load_b(k0 + 2u, n, depth, cols), load_b(k0 + 3u, n, depth, cols));
  }
  let zero = vec4<f32>();
  return mat4x4<f32>(tile[0], select(zero, tile[1], k0 + 1u < depth),
                     select(zero, tile[2], k0 + 2u < depth), select(zero, tile[3], k0 + 3u < depth));
}

// ---- Store ----------------------------------------------------------------------------------------

// Writes alpha · tile (+ beta · C) to C[m..m+3, n..n+3], where column r of `tile` is row m + r of C.
fn store_tile(tile: mat4x4<f32>, m: u32, n: u32) {
  let rows = params.m;
  let cols = params.n;
  for (var r = 0u; r < 4u; r++) {
    let row = m + r;
    if (row >= rows) {
      return;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = n + j;
      if (col >= cols) {
        break;
      }
      let index = row * cols + col;
      var value = params.alpha * tile[r][j];
      if (params.beta != 0.0) {
        value += params.beta * c[index];
      }
      c[index] = value;
    }
  }
}

// ---- Kernel ---------------------------------------------------------------------------------------

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn matmul(@builtin(global_invocation_id) id: vec3<u32>) {
  let n0 = id.x * BLOCK;
  let m0 = id.y * BLOCK;
  if (m0 >= params.m || n0 >= params.n) {
    return;
  }

  // Accumulator tile cPQ holds C[m0 + 4P .. +3, n0 + 4Q .. +3], column r = row m0 + 4P + r. The
  // `if (BLOCK ...)` branches depend only on the override constant, so the compiler drops unused tiles.
  let zero = mat4x4<f32>();
  var c00 = zero; var c01 = zero; var c02 = zero; var c03 = zero;
  var c10 = zero; var c11 = zero; var c12 = zero; var c13 = zero;
  var c20 = zero; var c21 = zero; var c22 = zero; var c23 = zero;
  var c30 = zero; var c31 = zero; var c32 = zero; var c33 = zero;

  for (var k0 = 0u; k0 < params.k; k0 += 4u) {
    // One step of k: the B tiles of the block's columns, then each row of A tiles against all of them.
    // `b * a` sums column j of b (row k0 + j of op(B)) weighted by a[r][j] into column r.
    let b0 = b_tile(k0, n0);
    var b1 = zero;
    var b2 = zero;
    var b3 = zero;
    if (BLOCK >= 8u) {
      b1 = b_tile(k0, n0 + 4u);
    }
    if (BLOCK >= 16u) {
      b2 = b_tile(k0, n0 + 8u);
      b3 = b_tile(k0, n0 + 12u);
    }

    var tile = a_tile(m0, k0);
    c00 += b0 * tile;
    if (BLOCK >= 8u) {
      c01 += b1 * tile;
    }
    if (BLOCK >= 16u) {
      c02 += b2 * tile;
      c03 += b3 * tile;
    }

    if (BLOCK >= 8u) {
      tile = a_tile(m0 + 4u, k0);
      c10 += b0 * tile;
      c11 += b1 * tile;
      if (BLOCK >= 16u) {
        c12 += b2 * tile;
        c13 += b3 * tile;
      }
    }

    if (BLOCK >= 16u) {
      tile = a_tile(m0 + 8u, k0);
      c20 += b0 * tile;
      c21 += b1 * tile;
      c22 += b2 * tile;
      c23 += b3 * tile;

      tile = a_tile(m0 + 12u, k0);
      c30 += b0 * tile;
      c31 += b1 * tile;
      c32 += b2 * tile;
      c33 += b3 * tile;
    }
  }

  store_tile(c00, m0, n0);
  if (BLOCK >= 8u) {
    store_tile(c01, m0, n0 + 4u);
    store_tile(c10, m0 + 4u, n0);
    store_tile(c11, m0 + 4u, n0 + 4u);
  }
  if (BLOCK >= 16u) {
    store_tile(c02, m0, n0 + 8u);
    store_tile(c03, m0, n0 + 12u);
    store_tile(c12, m0 + 4u, n0 + 8u);
    store_tile(c13, m0 + 4u, n0 + 12u);
    store_tile(c20, m0 + 8u, n0);
    store_tile(c21, m0 + 8u, n0 + 4u);
    store_tile(c22, m0 + 8u, n0 + 8u);
    store_tile(c23, m0 + 8u, n0 + 12u);
    store_tile(c30, m0 + 12u, n0);
    store_tile(c31, m0 + 12u, n0 + 4u);
    store_tile(c32, m0 + 12u, n0 + 8u);
    store_tile(c33, m0 + 12u, n0 + 12u);
  }
}
