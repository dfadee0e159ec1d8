// Row-wise softmax / log-softmax (+ backward) and the fused softmax cross-entropy, over x [rows, cols].
// Rows are short (10 classes for MNIST) so these are scalar loops; exponentials in f32, sums in f64.

/** out = softmax(x) row-wise, or log-softmax when `log`. */
export function softmax(x: usize, out: usize, rows: i32, cols: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    const dst = out + (<usize>(r * cols) << 2);
    let max: f32 = -Infinity;
    for (let c = 0; c < cols; c++) max = Mathf.max(max, load<f32>(row + (<usize>c << 2)));
    let sum: f64 = 0;
    for (let c = 0; c < cols; c++) sum += <f64>Mathf.exp(load<f32>(row + (<usize>c << 2)) - max);
    if (log) {
      const logSum = <f32>Math.log(sum);
      for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) - max - logSum);
    } else {
      const inv = 1.0 / sum;
      for (let c = 0; c < cols; c++) {
        store<f32>(dst + (<usize>c << 2), <f32>(<f64>Mathf.exp(load<f32>(row + (<usize>c << 2)) - max) * inv));
      }
    }
  }
}

/** softmax: dx = y * (dy - sum(dy * y));  log-softmax: dx = dy - exp(y) * sum(dy). */
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) << 2;
    let dot: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const e = o + (<usize>c << 2);
      dot += log ? <f64>load<f32>(dy + e) : <f64>load<f32>(dy + e) * <f64>load<f32>(y + e);
    }
    const d = <f32>dot;
    for (let c = 0; c < cols; c++) {
      const e = o + (<usize>c << 2);
      const yv = load<f32>(y + e);
      const g = load<f32>(dy + e);
      store<f32>(dx + e, log ? g - Mathf.exp(yv) * d : yv * (g - d));
    }
  }
}

/**
 * lossPerRow[r] = logsumexp(z_r) - z_r[label_r];  dlogits = (softmax(z) - onehot(label)) / rows.
 * When metrics != 0, adds the batch's summed loss to metrics[2*slot] and its number of correct
 * predictions (argmax == label, first max wins) to metrics[2*slot+1] (both f32). A label outside
 * [0, cols) gives that row a NaN loss and NaN gradient rather than reading another row.
 */
export function softmaxCrossEntropy(
  logits: usize, labels: usize, rows: i32, cols: i32, dlogits: usize, lossPerRow: usize, metrics: usize, slot: i32,
): void {
  let lossSum: f64 = 0;
  let correct = 0;
  const invRows = 1.0 / <f64>rows;
  for (let r = 0; r < rows; r++) {
    const row = logits + (<usize>(r * cols) << 2);
    const grad = dlogits + (<usize>(r * cols) << 2);
    const label = load<i32>(labels + (<usize>r << 2));
    let max: f32 = -Infinity;
    let argmax = 0;
    for (let c = 0; c < cols; c++) {
      const v = load<f32>(row + (<usize>c << 2));
      if (v > max) {
        max = v;
        argmax = c;
      }
    }
    let sum: f64 = 0;
    for (let c = 0; c < cols; c++) sum += <f64>Mathf.exp(load<f32>(row + (<usize>c << 2)) - max);
    const valid = label >= 0 && label < cols;
    const loss: f64 = valid ? Math.log(sum) + <f64>max - <f64>load<f32>(row + (<usize>label << 2)) : NaN;
    store<f32>(lossPerRow + (<usize>r << 2), <f32>loss);
    lossSum += loss;
    if (argmax == label) correct++;
    const inv = 1.0 / sum;
    for (let c = 0; c < cols; c++) {
      const p = <f64>Mathf.exp(load<f32>(row + (<usize>c << 2)) - max) * inv;
      const g = valid ? (p - (c == label ? 1.0 : 0.0)) * invRows : NaN;
      store<f32>(grad + (<usize>c << 2), <f32>g);
    }
  }
  if (metrics != 0) {
    const at = metrics + (<usize>(2 * slot) << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) + lossSum));
    store<f32>(at + 4, load<f32>(at + 4) + <f32>correct);
  }
}
