// out[i] = value for i < n.
// Buffers: out is an f32 array of at least n elements; params = { value: f32, n: u32 }.
// The grid may be folded into 2-D when n / 256 exceeds the per-dimension workgroup limit.

struct Params {
  value: f32,
  n: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 256u;
  if (i >= params.n) {
    return;
  }
  out[i] = params.value;
}
