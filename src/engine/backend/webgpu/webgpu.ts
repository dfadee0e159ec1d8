// The WebGPU backend: storage is a pooled GPUBuffer, primitives are the buffer-level kernels of
// src/kernels/ recorded into one command encoder (one compute pass at a time) that `flush()` submits,
// once per training step. Nothing here waits on the GPU except `read()`, which maps a pooled staging
// buffer asynchronously.
//
// Ordering hazard handled here: queue.writeBuffer runs before the *whole* pending command buffer, so a
// write to a buffer that an unsubmitted command already uses would overtake that command. `write()`
// flushes first in that case (never in a steady training step: batch inputs come from buffers released
// at the end of the previous, already submitted step).
import type { GpuContext } from '../../gpu/device';
import { GpuLimitError } from '../../gpu/errors';
import { KernelRuntime } from '../../../kernels/runtime';
import type { KernelProgram } from '../../../kernels/program';
import { matmul, matmulPrograms, probeMatmulSubgroups } from '../../../kernels/matmul';
import { unary, unaryBackward, unaryPrograms } from '../../../kernels/unary';
import { binary, scalar, binaryPrograms } from '../../../kernels/binary';
import { reduce, reducePrograms } from '../../../kernels/reduce';
import { softmax, softmaxBackward, softmaxPrograms } from '../../../kernels/softmax';
import { softmaxCrossEntropy, softmaxCrossEntropyPrograms } from '../../../kernels/softmax_ce';
import {
  adamUpdate,
  optimPrograms,
  packAdamHyper,
  packRmspropHyper,
  packSgdHyper,
  rmspropUpdate,
  sgdUpdate,
} from '../../../kernels/optim';
import { dropout, dropoutPrograms } from '../../../kernels/dropout';
import { fill, fillPrograms } from '../../../kernels/fill';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../../../kernels/conv2d';
import { avgPool, avgPoolBackward, maxPool, maxPoolBackward, poolPrograms } from '../../../kernels/pool';
import { batchNormBackward, batchNormForward, batchNormPrograms } from '../../../kernels/batchnorm';
import type { Backend, DType, OptimHyper, PrimitiveTable } from '../backend';
import { BufferPool } from './pool';

/** A tensor's GPU storage: a pooled buffer (possibly larger than the tensor: its size class). */
export class GpuStorage {
  /** Bytes of the last hyper-parameter block written here, and in which epoch (optimiser buffers only). */
  hyperBytes = '';
  hyperEpoch = -1;
  constructor(
    readonly buffer: GPUBuffer,
    /** Bytes the tensor needs (the buffer may be larger: its size class). */
    readonly bytes: number,
  ) {}
}

// Usage flags are read when used, not at module load: in Node, GPUBufferUsage exists only after Dawn
// has installed its globals.
const storageUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
/** Small buffers may also serve as uniforms (optimiser hyper-parameter blocks). */
const smallUsage = () => storageUsage() | GPUBufferUsage.UNIFORM;
const SMALL_BYTES = 256;
const stagingUsage = () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

export interface WebGpuBackendStats {
  /** GPUBuffers created for tensors and staging (uniform parameter buffers are the runtime's). */
  buffersCreated: number;
  /** Command buffers submitted. */
  submits: number;
  /** Bytes held by the tensor pool. */
  poolBytes: number;
}

export interface WebGpuBackendOptions {
  /** Fill every allocation with NaN (tests: an element a kernel forgets to write fails). */
  poison?: boolean;
  /**
   * Compile every kernel program before returning (webgpuBackend only). Off by default: all programs
   * take ~35 s on SwiftShader, while a model compiles the few it uses on first dispatch.
   */
  warmUp?: boolean;
}

export class WebGpuBackend implements Backend<GpuStorage> {
  readonly name = 'webgpu' as const;
  readonly rt: KernelRuntime;
  readonly device: GPUDevice;
  private readonly pool: BufferPool;
  private readonly stagingPool: BufferPool;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private epoch = 0;
  private submits = 0;
  private readonly variant: 'register' | 'shared';
  private readonly bindingLimitBytes: number;
  private readonly bindingLimitName: string;

  private readonly poison: boolean;

  constructor(
    readonly gpu: GpuContext,
    options: WebGpuBackendOptions = {},
  ) {
    this.poison = options.poison ?? false;
    this.device = gpu.device;
    this.rt = new KernelRuntime(gpu.device);
    this.pool = new BufferPool(gpu.device, 'tensor');
    this.stagingPool = new BufferPool(gpu.device, 'staging');
    this.variant = gpu.summary.isSoftware ? 'register' : 'shared';
    // A tensor must fit one storage binding and one buffer: the smaller limit rules.
    const { maxStorageBufferBindingSize, maxBufferSize } = gpu.device.limits;
    this.bindingLimitBytes = Math.min(maxStorageBufferBindingSize, maxBufferSize);
    this.bindingLimitName =
      maxBufferSize < maxStorageBufferBindingSize ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
  }

  /** Compiles every kernel program the primitives may use, ahead of the first step. */
  async warmUp(extra: KernelProgram[] = []): Promise<void> {
    await this.rt.warmUp([
      ...matmulPrograms(this.device, this.gpu.summary.isSoftware),
      ...unaryPrograms(),
      ...binaryPrograms(),
      ...reducePrograms(),
      ...softmaxPrograms(),
      ...softmaxCrossEntropyPrograms(),
      ...optimPrograms(),
      ...dropoutPrograms,
      ...fillPrograms,
      ...poolPrograms,
      ...batchNormPrograms,
      ...extra,
    ]);
  }

  stats(): WebGpuBackendStats {
    return {
      buffersCreated: this.pool.created + this.stagingPool.created,
      submits: this.submits,
      poolBytes: this.pool.totalBytes,
    };
  }

  /** The current compute pass (opened on demand in the current encoder). */
  computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass();
    return this.pass;
  }

  /** The current command encoder with no compute pass open (for copies and clears). */
  commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: `step ${this.epoch}` });
    return this.encoder;
  }

  /** The submit epoch in which a recorded command last used each buffer (pooled buffers change hands). */
  private readonly lastUse = new WeakMap<GPUBuffer, number>();

  /** Marks `s` as used by the pending command buffer and returns its buffer. */
  buf(s: GpuStorage): GPUBuffer {
    this.lastUse.set(s.buffer, this.epoch);
    return s.buffer;
  }

  /** Submits pending work first when it uses `buffer`, so a queue write cannot overtake it. */
  private flushIfPendingUse(buffer: GPUBuffer): void {
    if (this.encoder && this.lastUse.get(buffer) === this.epoch) this.flush();
  }

  alloc(length: number, dtype: DType, what: string): GpuStorage {
    const bytes = Math.max(length, 1) * 4;
    void dtype; // f32 and i32 are both 4 bytes
    const usage = bytes <= SMALL_BYTES ? smallUsage() : storageUsage();
    const buffer = this.pool.acquire(bytes, usage, what, this.bindingLimitBytes, this.bindingLimitName);
    const storage = new GpuStorage(buffer, bytes);
    if (this.poison) this.write(storage, new Float32Array(buffer.size / 4).fill(Number.NaN));
    return storage;
  }

  free(storage: GpuStorage): void {
    this.pool.release(storage.buffer);
  }

  write(storage: GpuStorage, data: Float32Array | Int32Array): void {
    if (data.byteLength > storage.buffer.size) {
      throw new GpuLimitError('write', data.byteLength, storage.buffer.size, 'tensor buffer size');
    }
    this.flushIfPendingUse(storage.buffer);
    this.device.queue.writeBuffer(storage.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  async read(storage: GpuStorage, length: number, dtype: DType): Promise<Float32Array | Int32Array> {
    const bytes = Math.max(length, 1) * 4;
    const staging = this.stagingPool.acquire(bytes, stagingUsage(), 'readback', Infinity, '');
    this.commandEncoder().copyBufferToBuffer(this.buf(storage), 0, staging, 0, bytes);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const range = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.stagingPool.release(staging);
    const out = dtype === 'i32' ? new Int32Array(range) : new Float32Array(range);
    return out.subarray(0, length);
  }

  /** Acquires a MAP_READ staging buffer from the pool (the trainer's metric readbacks). */
  acquireStaging(bytes: number): GPUBuffer {
    return this.stagingPool.acquire(bytes, stagingUsage(), 'readback', Infinity, '');
  }

  releaseStaging(buffer: GPUBuffer): void {
    this.stagingPool.release(buffer);
  }

  flush(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.submits++;
      this.inFlight.push(this.device.queue.onSubmittedWorkDone());
      // Keep the list short when nobody throttles (tests, evaluation): drop settled entries' handles.
      if (this.inFlight.length > 64) this.inFlight.splice(0, this.inFlight.length - 64);
    }
    this.epoch++;
  }

  private readonly inFlight: Promise<undefined>[] = [];

  async throttle(maxInFlight: number): Promise<void> {
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
  }

  destroy(): void {
    this.flush();
    for (const b of [...this.pool.trim(), ...this.stagingPool.trim()]) this.rt.forgetBuffer(b);
  }

  /** The uniform holding the dropout step counter. */
  private stepStorage: GpuStorage | null = null;

  /** Writes an optimiser's hyper block once per step (skipped when this step already wrote the same bytes). */
  private writeHyper(storage: GpuStorage, packed: ArrayBuffer): GPUBuffer {
    const key = new Uint32Array(packed).join(',');
    if (storage.hyperEpoch !== this.epoch || storage.hyperBytes !== key) {
      this.flushIfPendingUse(storage.buffer);
      this.device.queue.writeBuffer(storage.buffer, 0, packed);
      storage.hyperBytes = key;
      storage.hyperEpoch = this.epoch;
    }
    return this.buf(storage);
  }

  readonly run: PrimitiveTable<GpuStorage> = {
    matmul: (a) =>
      matmul(this.rt, this.computePass(), {
        a: this.buf(a.a),
        b: this.buf(a.b),
        out: this.buf(a.out),
        m: a.m,
        k: a.k,
        n: a.n,
        transA: a.transA,
        transB: a.transB,
        bias: a.bias ? this.buf(a.bias) : undefined,
        activation: a.activation,
        variant: this.variant,
      }),
    unary: (a) =>
      unary(this.rt, this.computePass(), {
        op: a.op,
        x: this.buf(a.x),
        out: this.buf(a.out),
        length: a.length,
        alpha: a.alpha,
      }),
    unaryBackward: (a) =>
      unaryBackward(this.rt, this.computePass(), {
        op: a.op,
        x: this.buf(a.x),
        y: this.buf(a.y),
        dy: this.buf(a.dy),
        dx: this.buf(a.dx),
        length: a.length,
        alpha: a.alpha,
      }),
    binary: (a) =>
      binary(this.rt, this.computePass(), {
        op: a.op,
        a: this.buf(a.a),
        b: this.buf(a.b),
        out: this.buf(a.out),
        shape: a.shape,
        aStrides: a.aStrides,
        bStrides: a.bStrides,
      }),
    scalar: (a) =>
      scalar(this.rt, this.computePass(), {
        op: a.op,
        x: this.buf(a.x),
        out: this.buf(a.out),
        length: a.length,
        value: a.value,
      }),
    reduce: (a) =>
      reduce(this.rt, this.computePass(), {
        op: a.op,
        x: this.buf(a.x),
        out: this.buf(a.out),
        outer: a.outer,
        size: a.size,
        inner: a.inner,
      }),
    softmax: (a) =>
      softmax(this.rt, this.computePass(), {
        x: this.buf(a.x),
        out: this.buf(a.out),
        rows: a.rows,
        cols: a.cols,
        log: a.log,
      }),
    softmaxBackward: (a) =>
      softmaxBackward(this.rt, this.computePass(), {
        y: this.buf(a.y),
        dy: this.buf(a.dy),
        dx: this.buf(a.dx),
        rows: a.rows,
        cols: a.cols,
        log: a.log,
      }),
    softmaxCrossEntropy: (a) =>
      softmaxCrossEntropy(this.rt, this.computePass(), {
        logits: this.buf(a.logits),
        labels: this.buf(a.labels),
        rows: a.rows,
        cols: a.cols,
        dlogits: this.buf(a.dlogits),
        lossPerRow: this.buf(a.lossPerRow),
        metrics: a.metrics ? this.buf(a.metrics) : undefined,
        metricsSlot: a.metricsSlot,
      }),
    sgdUpdate: (a) => {
      const hyper = this.writeHyper(a.hyperStorage, packSgdHyper(toSgd(a.hyper)));
      sgdUpdate(this.rt, this.computePass(), {
        param: this.buf(a.param),
        grad: this.buf(a.grad),
        velocity: a.velocity ? this.buf(a.velocity) : undefined,
        length: a.length,
        hyper,
      });
    },
    adamUpdate: (a) => {
      const hyper = this.writeHyper(a.hyperStorage, packAdamHyper(toAdam(a.hyper)));
      adamUpdate(this.rt, this.computePass(), {
        param: this.buf(a.param),
        grad: this.buf(a.grad),
        m: this.buf(a.m),
        v: this.buf(a.v),
        length: a.length,
        hyper,
      });
    },
    rmspropUpdate: (a) => {
      const hyper = this.writeHyper(a.hyperStorage, packRmspropHyper(toRmsprop(a.hyper)));
      rmspropUpdate(this.rt, this.computePass(), {
        param: this.buf(a.param),
        grad: this.buf(a.grad),
        meanSquare: this.buf(a.meanSquare),
        length: a.length,
        hyper,
      });
    },
    dropout: (a) => {
      // The step comes from a uniform the backend rewrites (once per submit), not from a per-step uniform
      // the runtime would cache forever: a training loop then records no new buffer per step.
      this.stepStorage ??= this.alloc(4, 'f32', 'dropout step');
      const step = this.writeHyper(this.stepStorage, new Uint32Array([a.step, 0, 0, 0]).buffer);
      dropout(this.rt, this.computePass(), {
        x: this.buf(a.x),
        out: this.buf(a.out),
        mask: this.buf(a.mask),
        length: a.length,
        rate: a.rate,
        seed: a.seed,
        step,
      });
    },
    fill: (a) => fill(this.rt, this.computePass(), { out: this.buf(a.out), length: a.length, value: a.value }),
    copy: (a) => {
      if (a.length === 0) return;
      const src = this.buf(a.src);
      const dst = this.buf(a.dst);
      this.commandEncoder().copyBufferToBuffer(src, 0, dst, 0, a.length * 4);
    },
    // Vision primitives (conv programs depend on the layer shape: compiled on first use).
    conv2d: (a) =>
      conv2d(this.rt, this.computePass(), {
        ...a.geometry,
        x: this.buf(a.x),
        filter: this.buf(a.filter),
        bias: a.bias ? this.buf(a.bias) : undefined,
        out: this.buf(a.out),
        activation: a.activation,
      }),
    conv2dBackwardInput: (a) =>
      conv2dBackwardInput(this.rt, this.computePass(), {
        ...a.geometry,
        dy: this.buf(a.dy),
        filter: this.buf(a.filter),
        dx: this.buf(a.dx),
      }),
    conv2dBackwardFilter: (a) =>
      conv2dBackwardFilter(this.rt, this.computePass(), {
        ...a.geometry,
        x: this.buf(a.x),
        dy: this.buf(a.dy),
        dFilter: this.buf(a.dFilter),
      }),
    maxPool: (a) =>
      maxPool(this.rt, this.computePass(), {
        ...a.geometry,
        x: this.buf(a.x),
        out: this.buf(a.out),
        argmax: this.buf(a.argmax),
      }),
    maxPoolBackward: (a) =>
      maxPoolBackward(this.rt, this.computePass(), {
        ...a.geometry,
        dy: this.buf(a.dy),
        argmax: this.buf(a.argmax),
        dx: this.buf(a.dx),
      }),
    avgPool: (a) => avgPool(this.rt, this.computePass(), { ...a.geometry, x: this.buf(a.x), out: this.buf(a.out) }),
    avgPoolBackward: (a) =>
      avgPoolBackward(this.rt, this.computePass(), { ...a.geometry, dy: this.buf(a.dy), dx: this.buf(a.dx) }),
    batchNorm: (a) =>
      batchNormForward(this.rt, this.computePass(), {
        ...a,
        x: this.buf(a.x),
        gamma: this.buf(a.gamma),
        beta: this.buf(a.beta),
        runningMean: this.buf(a.runningMean),
        runningVar: this.buf(a.runningVar),
        out: this.buf(a.out),
        mean: this.buf(a.mean),
        invStd: this.buf(a.invStd),
      }),
    batchNormBackward: (a) =>
      batchNormBackward(this.rt, this.computePass(), {
        ...a,
        x: this.buf(a.x),
        dy: this.buf(a.dy),
        gamma: this.buf(a.gamma),
        mean: this.buf(a.mean),
        invStd: this.buf(a.invStd),
        dx: this.buf(a.dx),
        dGamma: this.buf(a.dGamma),
        dBeta: this.buf(a.dBeta),
      }),
  };
}

// The engine's OptimHyper in the kernels' per-optimiser shapes (src/kernels/optim.ts packs the bytes).
function toSgd(h: OptimHyper) {
  return { lr: h.lr, momentum: h.momentum, nesterov: h.nesterov, weightDecay: h.l2, l1: h.l1, step: h.step };
}
function toAdam(h: OptimHyper) {
  return { lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, step: h.step, weightDecay: h.l2, l1: h.l1 };
}
function toRmsprop(h: OptimHyper) {
  return { lr: h.lr, rho: h.rho, eps: h.eps, weightDecay: h.l2, l1: h.l1, step: h.step };
}

/** A webgpu backend on `gpu` (every kernel compiled first when `options.warmUp`). */
export async function webgpuBackend(gpu: GpuContext, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  // Decides, once per device, whether the matmul may use subgroup broadcasts (a short probe dispatch).
  await probeMatmulSubgroups(gpu.device);
  const backend = new WebGpuBackend(gpu, options);
  if (options.warmUp) await backend.warmUp();
  return backend;
}
