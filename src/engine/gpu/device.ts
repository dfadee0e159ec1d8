// The one place the engine gets a GPU: adapter and device are requested once per GPU object, with the
// limits the kernels rely on raised to what the adapter allows, and every asynchronous failure
// (device loss, uncaptured validation or out-of-memory errors) turned into a typed GpuError.
import type { GpuError } from './errors';
import { GpuDeviceLostError, GpuOutOfMemoryError, GpuUnavailableError, GpuValidationError } from './errors';

/** Limits the engine reads; each is requested at the adapter's maximum. */
export const ENGINE_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;
export type EngineLimitName = (typeof ENGINE_LIMITS)[number];
export type EngineLimits = Record<EngineLimitName, number>;

/** The least each limit must be for the kernels to run (WebGPU's defaults, which every adapter meets). */
export const REQUIRED_LIMITS: EngineLimits = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** Optional features used when present. */
// 'subgroups': the matmul's register tile broadcasts A across SwiftShader's 4-lane subgroups (see
// probeMatmulSubgroups in src/kernels/matmul.ts); other adapters enable it unused.
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups'];

/** Plain-data description of the adapter, safe to post to the UI. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser (SwiftShader, llvmpipe) or an adapter the browser calls a fallback. */
  isSoftware: boolean;
  features: string[];
  limits: EngineLimits;
}

export interface GpuContext {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly summary: AdapterSummary;
  /** Resolves when the device is lost (including by `destroy()`); never rejects. */
  readonly lost: Promise<GpuDeviceLostError>;
  /** Listens for errors nobody captured with an error scope. Returns an unsubscribe function. */
  onError(listener: (error: GpuError) => void): () => void;
  /** Destroys the device; the next acquireGpu() call gets a new one. */
  destroy(): void;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
}

const contexts = new WeakMap<GPU, Promise<GpuContext>>();

/** The navigator.gpu of this page or worker, or undefined where WebGPU is missing. */
export function navigatorGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

/**
 * Gets the adapter and device once per `gpu`; later calls return the same context until its device is
 * lost or destroyed. Rejects with GpuUnavailableError when WebGPU cannot be used.
 */
export function acquireGpu(gpu: GPU | undefined = navigatorGpu(), options: AcquireOptions = {}): Promise<GpuContext> {
  if (!gpu) return Promise.reject(new GpuUnavailableError('no-webgpu'));
  let pending = contexts.get(gpu);
  if (!pending) {
    pending = createContext(gpu, options);
    contexts.set(gpu, pending);
    pending.then(
      (ctx) => void ctx.lost.then(() => contexts.get(gpu) === pending && contexts.delete(gpu)),
      () => contexts.delete(gpu),
    );
  }
  return pending;
}

export function isSoftwareAdapter(info: GPUAdapterInfo, isFallback: boolean): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return isFallback || /swiftshader|llvmpipe|lavapipe|software|warp/i.test(text);
}

async function createContext(gpu: GPU, options: AcquireOptions): Promise<GpuContext> {
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuUnavailableError('no-adapter');

  const requiredLimits: Record<string, number> = {};
  for (const name of ENGINE_LIMITS) {
    const available = adapter.limits[name];
    if (available < REQUIRED_LIMITS[name]) {
      throw new GpuUnavailableError(
        'device-request-failed',
        `the adapter's ${name} is ${available}, the engine needs at least ${REQUIRED_LIMITS[name]}`,
      );
    }
    requiredLimits[name] = available;
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'playground' });
  } catch (e) {
    throw new GpuUnavailableError('device-request-failed', e instanceof Error ? e.message : String(e));
  }

  const listeners = new Set<(error: GpuError) => void>();
  const emit = (error: GpuError) => {
    for (const listener of listeners) listener(error);
  };
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    emit(
      error instanceof GPUOutOfMemoryError
        ? new GpuOutOfMemoryError(error.message)
        : new GpuValidationError(error.message),
    );
  });
  const lost = device.lost.then((info) => {
    const error = new GpuDeviceLostError(info.reason ?? 'unknown', info.message);
    if (info.reason !== 'destroyed') emit(error);
    return error;
  });

  const info = adapter.info;
  const limits = Object.fromEntries(ENGINE_LIMITS.map((name) => [name, device.limits[name]])) as EngineLimits;
  const summary: AdapterSummary = {
    vendor: info.vendor || 'unknown vendor',
    architecture: info.architecture || 'unknown architecture',
    device: info.device,
    description: info.description,
    isSoftware: isSoftwareAdapter(info, Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter)),
    features: [...device.features].map(String).sort(),
    limits,
  };

  return {
    adapter,
    device,
    summary,
    lost,
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy: () => device.destroy(),
  };
}
