// out[m,n] = act(op(A) @ op(B) + bias), f32, row-major; op(A) is A [m,k] or A stored [k,m] (transA), op(B)
// is B [k,n] or B stored [n,k] (transB). GotoBLAS/BLIS structure: B is packed into panels of NR columns
// (a KC x NC block), A into panels of MR rows (an MC x KC block), and a 5 x 8 register tile of f32x4
// accumulators runs over the packed panels: per k step, two v128 loads of B, five splatted A values (two
// ways, see setMatmulKernel), ten multiply-adds.
//
// Why 5 x 8 (percent of the register-only ceiling measured beside it, relaxed build, kc = 256, data in
// L1, this machine's AMD EPYC): Node 20 (TurboFan): 5x8 with shuffles 87-88%; 4x8 with splat loads 82-83%;
// 5x8 or 6x8 with five or six splat loads 37-46% (TurboFan issues every load of an iteration before its
// multiply-adds, so each splat load holds a register and 10-12 accumulators spill past the 15 xmm
// registers); 4x12 spills. Chromium 156 and Node 26 (Turboshaft): 5x8 splat loads 75-91%, 5x8 shuffles
// 67-77%, 4x8 splat loads 65-73%, 6x8 splat loads 65-73% (an address add per splat load: too few general
// registers to keep six bases). Ten independent accumulators hide the multiply-add latency (4 cycles, two
// per cycle) with room to spare.
// Blocking: a packed B panel (KC x NR = 16 KiB) stays in L1 while MC / MR panels of packed A (260 KiB)
// stream from L2; packed B (KC x NC = 4 MiB) lives in L3, each panel packed at its first use. K is cut
// into equal blocks of at most KC (784 = 2 x 392, not 512 + 272), M into equal blocks of at most MC.
// KC 512 / MC ~128 measured best of {128, 256, 384, 512} x {64, 96, 128} (1024^3: ~40 vs ~33 GFLOP/s at
// 256 / 128; noisy shared machine, best of 5).
import { madd } from './simd';

const MR: i32 = 5;
const NR: i32 = 8;
const KC: i32 = 512;
const MC: i32 = 130;
const NC: i32 = 2048;

/** Bytes of scratch `matmul` needs at `work`: packed B block, packed A block, one edge tile. */
export function matmulWorkspaceBytes(): i32 {
  return (KC * NC + MC * KC + MR * NR) * 4;
}

/**
 * Transposes the 4 x 4 block whose rows start at s0..s3 and stores its columns at dst, dst + stride, ...:
 * the gathers of packA (A not transposed) and packB (B transposed) as four loads and eight shuffles.
 */
@inline
function transpose4x4(s0: usize, s1: usize, s2: usize, s3: usize, dst: usize, stride: usize): void {
  const v0 = v128.load(s0), v1 = v128.load(s1), v2 = v128.load(s2), v3 = v128.load(s3);
  const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/** Packs B[pc..pc+kc, jc..jc+nc] (op(B) coordinates) into ceil(nc/NR) panels of [kc][NR], zero-padded. */
function packB(b: usize, transB: bool, k: i32, n: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const zero = f32x4.splat(0);
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const panel = dst + (<usize>(j0 * kc) << 2);
    if (!transB) {
      let src = b + (<usize>((pc * n) + jc + j0) << 2);
      const rowBytes = <usize>n << 2;
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>(p * NR) << 2);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += rowBytes;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>(p * NR) << 2);
          v128.store(d, zero);
          v128.store(d, zero, 16);
          for (let c = 0; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
          src += rowBytes;
        }
      }
    } else {
      // B stored [n, k]: column c of the panel is a contiguous run of row (jc + j0 + c) of the stored B.
      if (cols == NR) {
        for (let c0 = 0; c0 < NR; c0 += 4) {
          const s0 = b + (<usize>((jc + j0 + c0) * k + pc) << 2);
          const rowBytes = <usize>k << 2;
          let p = 0;
          for (; p + 4 <= kc; p += 4) {
            const o = <usize>p << 2;
            const d = panel + (<usize>(p * NR + c0) << 2);
            transpose4x4(s0 + o, s0 + rowBytes + o, s0 + 2 * rowBytes + o, s0 + 3 * rowBytes + o, d, <usize>(NR << 2));
          }
          for (; p < kc; p++) {
            for (let c = 0; c < 4; c++) {
              store<f32>(panel + (<usize>(p * NR + c0 + c) << 2), load<f32>(s0 + <usize>c * rowBytes + (<usize>p << 2)));
            }
          }
        }
        continue;
      }
      if (cols < NR) {
        for (let p = 0; p < kc; p++) {
          const d = panel + (<usize>(p * NR) << 2);
          v128.store(d, zero);
          v128.store(d, zero, 16);
        }
      }
      for (let c = 0; c < cols; c++) {
        const src = b + (<usize>((jc + j0 + c) * k + pc) << 2);
        let d = panel + (<usize>c << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(d, load<f32>(src + (<usize>p << 2)));
          d += <usize>(NR << 2);
        }
      }
    }
  }
}

/** Packs A[ic..ic+mc, pc..pc+kc] (op(A) coordinates) into ceil(mc/MR) panels of [kc][MR], zero-padded. */
function packA(a: usize, transA: bool, m: i32, k: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const stepBytes = <usize>(MR << 2);
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const panel = dst + (<usize>(i0 * kc) << 2);
    if (transA) {
      // A stored [k, m]: the MR values of one k step are contiguous.
      let src = a + (<usize>(pc * m + ic + i0) << 2);
      const rowBytes = <usize>m << 2;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          const d = panel + <usize>p * stepBytes;
          v128.store(d, v128.load(src));
          store<f32>(d, load<f32>(src, 16), 16);
          src += rowBytes;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const d = panel + <usize>p * stepBytes;
          for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
          src += rowBytes;
        }
      }
      continue;
    }
    // A stored [m, k]: rows 0..3 of the panel by 4 x 4 transposes, row 4 (and ragged panels) one by one.
    const s0 = a + (<usize>((ic + i0) * k + pc) << 2);
    const rowBytes = <usize>k << 2;
    let first = 0;
    if (rows == MR) {
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        transpose4x4(s0 + o, s0 + rowBytes + o, s0 + 2 * rowBytes + o, s0 + 3 * rowBytes + o, panel + <usize>p * stepBytes, stepBytes);
      }
      for (; p < kc; p++) {
        for (let r = 0; r < 4; r++) {
          store<f32>(panel + <usize>p * stepBytes + (<usize>r << 2), load<f32>(s0 + <usize>r * rowBytes + (<usize>p << 2)));
        }
      }
      first = 4;
    }
    for (let r = first; r < MR; r++) {
      const src = s0 + <usize>r * rowBytes;
      let d = panel + (<usize>r << 2);
      for (let p = 0; p < kc; p++) {
        store<f32>(d, r < rows ? load<f32>(src + (<usize>p << 2)) : 0);
        d += stepBytes;
      }
    }
  }
}

/**
 * How the 5 x 8 tile gets its five A values per k step (setMatmulKernel; both give bit-identical sums):
 * SPLAT_LOADS, five `load32_splat`s; SHUFFLES, one v128 load of rows 0-3 splatted by lane shuffles plus one
 * splat load. Which is faster depends on the engine's compiler, not the CPU: measured on this machine's
 * AMD EPYC, kc 256, data in L1, against the register-only ceiling: Node 20 (V8 11.3, TurboFan) shuffles
 * 87-88%, splat loads 37-40% (TurboFan issues all the iteration's loads first and spills accumulators);
 * Node 26 (V8 14.6, Turboshaft) and Chromium 156 splat loads 82-91%, shuffles 67-77% (each load sits
 * next to its multiply-adds; the four shuffles compete with the multiply-adds for the FP pipes). The
 * loader times both once (src/wasm/kernels.ts) and sets the faster one on every thread.
 */
const SHUFFLES: i32 = 0;
const SPLAT_LOADS: i32 = 1;
let aLoads: i32 = SHUFFLES;

/** Chooses the A loads of the 5 x 8 tile for this instance: 0 shuffles, 1 splat loads. */
export function setMatmulKernel(kind: i32): void {
  aLoads = kind == SPLAT_LOADS ? SPLAT_LOADS : SHUFFLES;
}

/**
 * The 5 x 8 register tile over kc packed steps: C[5, 8] (row stride ldc floats) = acc (+ C when
 * `accumulate`) (+ bias[8] when bias != 0), then max(., 0) when `relu`.
 */
function kernel5x8(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool, bias: usize, relu: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (aLoads == SPLAT_LOADS) {
    for (let p = 0; p < kc; p++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let a = v128.load32_splat(pa);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(pa, 4);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(pa, 8);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(pa, 12);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      a = v128.load32_splat(pa, 16);
      c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
      pa += 20;
      pb += 32;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a03 = v128.load(pa);
      let a = v128.load32_splat(pa, 16);
      c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
      a = v128.shuffle<f32>(a03, a03, 0, 0, 0, 0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.shuffle<f32>(a03, a03, 1, 1, 1, 1);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.shuffle<f32>(a03, a03, 2, 2, 2, 2);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.shuffle<f32>(a03, a03, 3, 3, 3, 3);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      pa += 20;
      pb += 32;
    }
  }
  const stride = <usize>ldc << 2;
  const c0 = c, c1 = c + stride, c2 = c + 2 * stride, c3 = c + 3 * stride, c4 = c + 4 * stride;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c0)); c01 = f32x4.add(c01, v128.load(c0, 16));
    c10 = f32x4.add(c10, v128.load(c1)); c11 = f32x4.add(c11, v128.load(c1, 16));
    c20 = f32x4.add(c20, v128.load(c2)); c21 = f32x4.add(c21, v128.load(c2, 16));
    c30 = f32x4.add(c30, v128.load(c3)); c31 = f32x4.add(c31, v128.load(c3, 16));
    c40 = f32x4.add(c40, v128.load(c4)); c41 = f32x4.add(c41, v128.load(c4, 16));
  }
  if (bias != 0) {
    const b0 = v128.load(bias), b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0); c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0); c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0); c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0); c31 = f32x4.add(c31, b1);
    c40 = f32x4.add(c40, b0); c41 = f32x4.add(c41, b1);
  }
  if (relu) {
    const z = f32x4.splat(0);
    c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z);
    c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z);
    c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z);
    c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z);
    c40 = f32x4.max(c40, z); c41 = f32x4.max(c41, z);
  }
  v128.store(c0, c00); v128.store(c0, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
  v128.store(c4, c40); v128.store(c4, c41, 16);
}

/**
 * out[m,n] = act(op(A) @ op(B) + bias). Pointers are byte offsets; `bias` 0 means none; `work` points at
 * matmulWorkspaceBytes() of scratch. Correct for any m, k, n >= 1; out must not alias a or b.
 */
export function matmul(
  a: usize, b: usize, out: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, bias: usize, relu: bool, work: usize,
): void {
  gemm(a, b, out, m, k, n, transA, transB, bias, relu, work, false);
}

/** matmul, plus `accumulateOut`: out += op(A) @ op(B) (conv2d's filter gradient sums over chunks). */
export function gemm(
  a: usize, b: usize, out: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, bias: usize, relu: bool, work: usize, accumulateOut: bool,
): void {
  gemmRange(a, b, out, m, k, n, transA, transB, bias, relu, work, accumulateOut, 0, m, 0, n);
}

/** First unit of part `part` of `parts` when `total` elements are split in whole multiples of `unit`. */
@inline
export function splitAt(total: i32, unit: i32, part: i32, parts: i32): i32 {
  const units = (total + unit - 1) / unit;
  return min(total, <i32>(<i64>units * part / parts) * unit);
}

/**
 * Thread `thread` of `threads`' share of matmul: the output is cut into `threads` bands of whole register
 * tiles, along n when it has at least as many tiles as m (each thread then packs only its own columns of
 * B), else along m. Each thread uses its own workspace, work + thread * workStride. Every output element
 * sums over k in the same order as single-threaded, so the result is bit-identical.
 */
export function matmulPart(
  a: usize, b: usize, out: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, bias: usize, relu: bool,
  work: usize, workStride: i32, thread: i32, threads: i32,
): void {
  const w = work + <usize>thread * <usize>workStride;
  if ((n + NR - 1) / NR >= (m + MR - 1) / MR) {
    const n0 = splitAt(n, NR, thread, threads), n1 = splitAt(n, NR, thread + 1, threads);
    if (n0 < n1) gemmRange(a, b, out, m, k, n, transA, transB, bias, relu, w, false, 0, m, n0, n1);
  } else {
    const m0 = splitAt(m, MR, thread, threads), m1 = splitAt(m, MR, thread + 1, threads);
    if (m0 < m1) gemmRange(a, b, out, m, k, n, transA, transB, bias, relu, w, false, m0, m1, 0, n);
  }
}

/**
 * Bytes of scratch matmulSharedPart needs for an m x k x n product on `threads` threads (all of op(A)
 * packed), or 0 where the output has too few column panels to hand out (fewer than MIN_CHUNKS_PER_THREAD
 * per thread) and matmulPart's fixed split does better.
 */
export function matmulSharedBytes(m: i32, k: i32, n: i32, threads: i32): f64 {
  if ((n + NR - 1) / NR < MIN_CHUNKS_PER_THREAD * threads) return 0;
  return 4 * <f64>((m + MR - 1) / MR * MR) * <f64>k;
}

/** Equal blocks of at most KC along k (784 = 2 x 392, not 512 + 272), as gemmRange cuts them. */
@inline
function kBlockSize(k: i32): i32 {
  return (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
}

/** Equal blocks of at most MC rows along m, in multiples of MR (a batch of 128 is one block, not 120 + 8). */
@inline
function mBlockSize(rows: i32): i32 {
  const blocks = (rows + MC - 1) / MC;
  return ((rows + blocks - 1) / blocks + MR - 1) / MR * MR;
}

/**
 * Where the MR-row panel starting at row `row` of the k block starting at `pc` (kc deep) begins in op(A)
 * packed whole (matmulSharedPart): the block begins pc * mPanels * MR floats in, its panels [kc][MR] each.
 */
@inline
function packedAAt(packed: usize, mPanels: i32, pc: i32, kc: i32, row: i32): usize {
  return packed + (<usize>(pc * mPanels * MR + row * kc) << 2);
}

/** Column chunks per thread that matmulSharedPart hands out (finer balances better, coarser reuses A more). */
const CHUNKS_PER_THREAD: i32 = 8;
/** Fewest column panels per thread for matmulSharedPart (below it a thread's share is too coarse). */
const MIN_CHUNKS_PER_THREAD: i32 = 4;

/**
 * Waits until the i32 at `counter` reaches `count`. The threads of a job run on separate cores and the
 * wait is for work already under way, so it spins. Should the count never come (a thread's share
 * trapped), after ~2^33 polls (seconds) this thread traps too, and the pool reports the failure.
 */
@inline
function waitFor(counter: usize, count: i32): void {
  if (ASC_FEATURE_THREADS) {
    let polls: i64 = 0;
    while (atomic.load<i32>(counter) < count) {
      if (++polls > (<i64>1 << 33)) unreachable();
    }
  }
}

/**
 * Thread `thread` of `threads`' share of matmul, with the work handed out as it goes rather than cut in
 * advance, so that a thread slowed by a busy core (or still waking up) takes less of it instead of holding
 * the others up. First the threads pack all of op(A), taking its panels one by one from the counter at
 * `sync` and counting the packed ones at sync + 64, so A is packed once, not once per thread; once all are
 * packed, each takes the next run of NR-column panels from the counter at sync + 128 until none are left
 * and multiplies all rows by it as gemmRange does, packing those columns of B itself. `packed` has room for
 * matmulSharedBytes; the caller zeroes the three counters before the job; `work + thread * workStride` is
 * this thread's workspace. Every output element sums over k in the same blocks and order as
 * single-threaded, so the result is bit-identical.
 */
export function matmulSharedPart(
  a: usize, b: usize, out: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, bias: usize, relu: bool,
  packed: usize, sync: usize, work: usize, workStride: i32, thread: i32, threads: i32,
): void {
  const kStep = kBlockSize(k);
  const mPanels = (m + MR - 1) / MR;
  const units = (k + kStep - 1) / kStep * mPanels;
  for (;;) {
    const u = takeChunk(sync);
    if (u >= units) break;
    const pc = u / mPanels * kStep;
    const kc = min(kStep, k - pc);
    const row = u % mPanels * MR;
    packA(a, transA, m, k, row, min(MR, m - row), pc, kc, packedAAt(packed, mPanels, pc, kc, row));
    if (ASC_FEATURE_THREADS) atomic.add<i32>(sync + 64, 1);
  }
  waitFor(sync + 64, units);

  const w = work + <usize>thread * <usize>workStride;
  const nPanels = (n + NR - 1) / NR;
  const perChunk = min(NC / NR, (nPanels + CHUNKS_PER_THREAD * threads - 1) / (CHUNKS_PER_THREAD * threads));
  for (;;) {
    const n0 = takeChunk(sync + 128) * perChunk * NR;
    if (n0 >= n) break;
    gemmRange(a, b, out, m, k, n, transA, transB, bias, relu, w, false, 0, m, n0, min(n, n0 + perChunk * NR), packed);
  }
}

/** The next chunk number from the counter at `counter` (a plain increment in a build without threads). */
@inline
export function takeChunk(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const chunk = load<i32>(counter);
  store<i32>(counter, chunk + 1);
  return chunk;
}

/**
 * gemm restricted to the output rows [m0, m1) and columns [n0, n1). `packedAll`, where not 0, holds all of
 * op(A) already packed (matmulSharedPart): then A is read from there instead of packed per block.
 */
export function gemmRange(
  a: usize, b: usize, out: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, bias: usize, relu: bool, work: usize, accumulateOut: bool,
  m0: i32, m1: i32, n0: i32, n1: i32, packedAll: usize = 0,
): void {
  const packedB = work;
  const packedA = work + (<usize>(KC * NC) << 2);
  const tile = packedA + (<usize>(MC * KC) << 2);
  const kStep = kBlockSize(k);
  const rowsM = m1 - m0;
  const mBlocks = (rowsM + MC - 1) / MC;
  const mStep = mBlockSize(rowsM);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      const accumulate = pc > 0 || accumulateOut;
      const last = pc + kc >= k;
      for (let ic = m0; ic < m1; ic += mStep) {
        const mc = min(mStep, m1 - ic);
        let pa = packedA;
        if (packedAll != 0) pa = packedAAt(packedAll, (m + MR - 1) / MR, pc, kc, ic);
        else packA(a, transA, m, k, ic, mc, pc, kc, packedA);
        for (let j0 = 0; j0 < nc; j0 += NR) {
          const cols = min(NR, nc - j0);
          // Each B panel is packed right before its first use, so the first pass over it reads it from L1
          // rather than back from L3 after the whole KC x NC block was packed (1.5 MiB for the MLP's
          // 784 x 500). With one M block the panel is used once: it goes to the same L1-resident slot
          // every time. Measured on 128x784x500: +2 to +7 points of the FMA ceiling (median, Node and
          // Chromium; this machine's noise is about as large).
          let pb = packedB + (<usize>(j0 * kc) << 2);
          if (mBlocks == 1) {
            pb = packedB;
            packB(b, transB, k, n, pc, kc, jc + j0, cols, pb);
          } else if (ic == m0) {
            packB(b, transB, k, n, pc, kc, jc + j0, cols, pb);
          }
          const biasAt: usize = last && bias != 0 ? bias + (<usize>(jc + j0) << 2) : 0;
          multiplyPanel(pa, pb, tile, out, n, ic, mc, jc + j0, cols, kc, accumulate, biasAt, last && relu);
        }
      }
    }
  }
}

/**
 * Output rows [row, row + rows) by columns [col, col + cols) (cols <= NR) of an n-wide output: the packed
 * A panels from `packedA` (MR rows each, kc steps) times one packed B panel `pb`, tile by tile, with the
 * epilogue (accumulate into out, then bias and relu where given); `tile` is scratch for ragged edge tiles.
 */
@inline
function multiplyPanel(
  packedA: usize, pb: usize, tile: usize, out: usize, n: i32, row: i32, rows: i32, col: i32, cols: i32, kc: i32,
  accumulate: bool, biasAt: usize, relu: bool,
): void {
  for (let i0 = 0; i0 < rows; i0 += MR) {
    const tileRows = min(MR, rows - i0);
    const pa = packedA + (<usize>(i0 * kc) << 2);
    const c = out + (<usize>((row + i0) * n + col) << 2);
    if (tileRows == MR && cols == NR) {
      kernel5x8(kc, pa, pb, c, n, accumulate, biasAt, relu);
    } else {
      // Edge tile: full tile into scratch, then merge only the rows and columns that exist.
      kernel5x8(kc, pa, pb, tile, NR, false, 0, false);
      for (let r = 0; r < tileRows; r++) {
        const cRow = c + (<usize>(r * n) << 2);
        const tRow = tile + (<usize>(r * NR) << 2);
        for (let j = 0; j < cols; j++) {
          let v = load<f32>(tRow + (<usize>j << 2));
          if (accumulate) v += load<f32>(cRow + (<usize>j << 2));
          if (biasAt != 0) v += load<f32>(biasAt + (<usize>j << 2));
          if (relu && v < 0) v = 0;
          store<f32>(cRow + (<usize>j << 2), v);
        }
      }
    }
  }
}
