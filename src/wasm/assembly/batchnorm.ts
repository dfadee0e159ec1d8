// Batch normalisation over x [rows, channels] (Keras semantics: biased batch variance, running averages
// r = momentum r + (1 - momentum) stat), forward and backward. Rows are walked in order (contiguous
// memory) with per-channel sums in f64 kept in `scratch` (2 * channels f64 from the caller).
//   y = gamma (x - mean) invStd + beta;  invStd = 1 / sqrt(var + epsilon)
//   dbeta = sum dy;  dgamma = sum dy xhat;  training: dx = gamma invStd (dy - dbeta/rows - xhat dgamma/rows)
//   eval: dx = gamma invStd dy

@inline
function f(ptr: usize, i: i32): f32 {
  return load<f32>(ptr + (<usize>i << 2));
}

@inline
function d(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline
function addD(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), load<f64>(ptr + (<usize>i << 3)) + v);
}

export function batchNorm(
  x: usize, gamma: usize, beta: usize, runningMean: usize, runningVar: usize, out: usize, mean: usize, invStd: usize,
  rows: i32, channels: i32, epsilon: f64, momentum: f64, training: bool, scratch: usize,
): void {
  const sums = scratch;
  const squares = scratch + (<usize>channels << 3);
  if (training) {
    memory.fill(scratch, 0, <usize>channels << 4);
    for (let r = 0; r < rows; r++) {
      const row = x + (<usize>(r * channels) << 2);
      for (let c = 0; c < channels; c++) addD(sums, c, <f64>f(row, c));
    }
    for (let c = 0; c < channels; c++) store<f64>(sums + (<usize>c << 3), d(sums, c) / <f64>rows);
    for (let r = 0; r < rows; r++) {
      const row = x + (<usize>(r * channels) << 2);
      for (let c = 0; c < channels; c++) {
        const dev = <f64>f(row, c) - d(sums, c);
        addD(squares, c, dev * dev);
      }
    }
  }
  for (let c = 0; c < channels; c++) {
    let m: f64, variance: f64;
    if (training) {
      m = d(sums, c);
      variance = d(squares, c) / <f64>rows;
      store<f32>(runningMean + (<usize>c << 2), <f32>(momentum * <f64>f(runningMean, c) + (1 - momentum) * m));
      store<f32>(runningVar + (<usize>c << 2), <f32>(momentum * <f64>f(runningVar, c) + (1 - momentum) * variance));
    } else {
      m = <f64>f(runningMean, c);
      variance = <f64>f(runningVar, c);
    }
    store<f32>(mean + (<usize>c << 2), <f32>m);
    store<f32>(invStd + (<usize>c << 2), <f32>(1 / Math.sqrt(variance + epsilon)));
  }
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * channels) << 2;
    for (let c = 0; c < channels; c++) {
      const e = <usize>c << 2;
      const v = (load<f32>(x + o + e) - f(mean, c)) * (f(gamma, c) * f(invStd, c)) + f(beta, c);
      store<f32>(out + o + e, v);
    }
  }
}

export function batchNormBackward(
  x: usize, dy: usize, gamma: usize, mean: usize, invStd: usize, dx: usize, dGamma: usize, dBeta: usize,
  rows: i32, channels: i32, training: bool, scratch: usize,
): void {
  const sumDy = scratch;
  const sumDyXhat = scratch + (<usize>channels << 3);
  memory.fill(scratch, 0, <usize>channels << 4);
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * channels) << 2;
    for (let c = 0; c < channels; c++) {
      const g = <f64>f(dy + o, c);
      addD(sumDy, c, g);
      addD(sumDyXhat, c, g * ((<f64>f(x + o, c) - <f64>f(mean, c)) * <f64>f(invStd, c)));
    }
  }
  for (let c = 0; c < channels; c++) {
    store<f32>(dBeta + (<usize>c << 2), <f32>d(sumDy, c));
    store<f32>(dGamma + (<usize>c << 2), <f32>d(sumDyXhat, c));
  }
  const invRows = 1.0 / <f64>rows;
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * channels) << 2;
    for (let c = 0; c < channels; c++) {
      const scale = <f64>f(gamma, c) * <f64>f(invStd, c);
      const g = <f64>f(dy + o, c);
      let v: f64;
      if (training) {
        const xhat = (<f64>f(x + o, c) - <f64>f(mean, c)) * <f64>f(invStd, c);
        v = scale * (g - d(sumDy, c) * invRows - xhat * d(sumDyXhat, c) * invRows);
      } else {
        v = scale * g;
      }
      store<f32>(dx + o + (<usize>c << 2), <f32>v);
    }
  }
}
