// Optimisers as fused update primitives, one per parameter tensor per step: SGD (momentum, Nesterov),
// Adam (bias-corrected) and RMSprop, with L2 and L1 weight decay on the parameters marked for decay and
// a learning-rate schedule. State (velocity, moments) is persistent and zero-initialised on first use.
// The hyper-parameters of a step live in one small buffer per (optimiser, decay group), written once a
// step; every update dispatch reads it.
import type { OptimHyper } from '../backend/backend';
import { formatShape, full, ShapeError, type Tensor } from '../tensor';
import type { Parameter } from '../nn/layer';
import { learningRateAt, type LrSchedule } from './schedule';

export type OptimizerKind = 'sgd' | 'adam' | 'rmsprop';

export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  schedule?: LrSchedule;
  /** SGD momentum (0: plain SGD). */
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  /** RMSprop decay of the mean square. */
  rho?: number;
  eps?: number;
  /** L2 weight decay coefficient (adds l2 * p to the gradient). */
  l2?: number;
  /** L1 coefficient (adds l1 * sign(p) to the gradient). */
  l1?: number;
}

const HYPER_FLOATS = 16;

/** The state slots each optimiser keeps per parameter, by name (Keras's names where it has them). */
export function slotNames(config: Pick<OptimizerConfig, 'kind' | 'momentum'>): string[] {
  if (config.kind === 'adam') return ['m', 'v'];
  if (config.kind === 'rmsprop') return ['mean_square'];
  return config.momentum ? ['velocity'] : [];
}

/** An optimiser's state as plain data: the step count and, per parameter (by name), its slots. */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Completed update steps (the schedule, Adam's bias correction and dropout's RNG continue from it). */
  stepCount: number;
  /** Parameters that have state (those that received a gradient), in parameter order. */
  params: { name: string; shape: number[]; slots: Record<string, Float32Array> }[];
}

export class Optimizer {
  /** Number of completed update steps. */
  stepCount = 0;
  private readonly state = new Map<Tensor, Tensor[]>();
  private hyperStorage: { decay: Tensor; plain: Tensor } | null = null;

  constructor(readonly config: OptimizerConfig) {
    if (!(config.lr > 0)) throw new RangeError(`optimizer: learning rate must be > 0, got ${config.lr}`);
    if (config.nesterov && !(config.momentum ?? 0)) {
      throw new RangeError('optimizer: Nesterov needs momentum > 0');
    }
  }

  /** The learning rate the next step will use. */
  get learningRate(): number {
    return learningRateAt(this.config.schedule ?? { kind: 'constant' }, this.config.lr, this.stepCount);
  }

  /** Hyper-parameters of the next step for a parameter with or without decay. */
  hyper(decay: boolean): OptimHyper {
    const c = this.config;
    const t = this.stepCount + 1;
    const beta1 = c.beta1 ?? 0.9;
    const beta2 = c.beta2 ?? 0.999;
    return {
      lr: this.learningRate,
      l2: decay ? (c.l2 ?? 0) : 0,
      l1: decay ? (c.l1 ?? 0) : 0,
      momentum: c.momentum ?? 0,
      nesterov: c.nesterov ?? false,
      beta1,
      beta2,
      step: t,
      beta1Power: Math.pow(beta1, t),
      beta2Power: Math.pow(beta2, t),
      rho: c.rho ?? 0.9,
      eps: c.eps ?? (c.kind === 'adam' ? 1e-8 : 1e-7),
    };
  }

  /** Applies one update to every parameter that has a gradient; records one dispatch per parameter. */
  step(params: readonly Parameter[]): void {
    // A grad left from an earlier step (released) does not count: backward() of this step did not reach it.
    const withGrad = params.filter((p) => p.value.grad && !p.value.grad.isReleased);
    if (withGrad.length === 0) throw new Error('optimizer.step(): no parameter has a gradient; call backward() first');
    const backend = withGrad[0].value.backend;
    if (!this.hyperStorage) {
      this.hyperStorage = {
        decay: full(backend, [HYPER_FLOATS], 0, { origin: 'optimizer hyper', persistent: true }),
        plain: full(backend, [HYPER_FLOATS], 0, { origin: 'optimizer hyper', persistent: true }),
      };
    }
    const hyperDecay = this.hyper(true);
    const hyperPlain = this.hyper(false);
    for (const p of withGrad) {
      const param = p.value;
      const grad = param.grad!;
      const hyper = p.decay ? hyperDecay : hyperPlain;
      const hyperStorage = (p.decay ? this.hyperStorage.decay : this.hyperStorage.plain).storage;
      const run = backend.run;
      const s = this.slots(param);
      switch (this.config.kind) {
        case 'sgd':
          run.sgdUpdate({
            param: param.storage,
            grad: grad.storage,
            velocity: s[0]?.storage,
            length: param.size,
            hyper,
            hyperStorage,
          });
          break;
        case 'adam':
          run.adamUpdate({
            param: param.storage,
            grad: grad.storage,
            m: s[0].storage,
            v: s[1].storage,
            length: param.size,
            hyper,
            hyperStorage,
          });
          break;
        case 'rmsprop':
          run.rmspropUpdate({
            param: param.storage,
            grad: grad.storage,
            meanSquare: s[0].storage,
            length: param.size,
            hyper,
            hyperStorage,
          });
          break;
      }
    }
    this.stepCount++;
  }

  /** The persistent state tensors of `param`, created as zeros on first use. */
  private slots(param: Tensor): Tensor[] {
    let s = this.state.get(param);
    if (!s) {
      const count = this.config.kind === 'adam' ? 2 : this.config.kind === 'rmsprop' ? 1 : this.config.momentum ? 1 : 0;
      s = Array.from({ length: count }, (_, i) =>
        full(param.backend, param.shape, 0, { origin: `${param.origin} optimizer state ${i}`, persistent: true }),
      );
      this.state.set(param, s);
    }
    return s;
  }

  /** Copies the step count and every parameter's slots to the host, named as `params` names them. */
  async exportState(params: readonly Parameter[]): Promise<OptimizerState> {
    const names = slotNames(this.config);
    const out: OptimizerState = { kind: this.config.kind, stepCount: this.stepCount, params: [] };
    for (const p of params) {
      const s = this.state.get(p.value);
      if (!s) continue;
      const slots: Record<string, Float32Array> = {};
      for (let i = 0; i < names.length; i++) slots[names[i]] = await s[i].data();
      out.params.push({ name: p.name, shape: [...p.value.shape], slots });
    }
    return out;
  }

  /**
   * Puts back a state from exportState(): checks the kind, every name, shape and slot first, so a state
   * that does not fit changes nothing; then writes the slots and the step count. Parameters the state
   * does not list start from zero state, as they would have in the original run.
   */
  importState(params: readonly Parameter[], state: OptimizerState): void {
    if (state.kind !== this.config.kind) {
      throw new Error(`optimizer state: it was saved by ${state.kind}, but this optimiser is ${this.config.kind}`);
    }
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) {
      throw new RangeError(`optimizer state: the step count must be a whole number >= 0, got ${state.stepCount}`);
    }
    const names = slotNames(this.config);
    const byName = new Map(params.map((p) => [p.name, p]));
    const seen = new Set<string>();
    for (const entry of state.params) {
      const p = byName.get(entry.name);
      if (!p) throw new Error(`optimizer state: the model has no parameter "${entry.name}"`);
      if (seen.has(entry.name)) throw new Error(`optimizer state: "${entry.name}" is listed twice`);
      seen.add(entry.name);
      const shape = p.value.shape;
      if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
        throw new ShapeError(
          `optimizer state: ${entry.name} is ${formatShape(shape)} in the model but ${formatShape(entry.shape)} in the state`,
        );
      }
      const given = Object.keys(entry.slots).sort();
      if (given.join() !== [...names].sort().join()) {
        throw new Error(
          `optimizer state: ${entry.name} has slots [${given.join(', ')}], ${this.config.kind} needs [${names.join(', ')}]`,
        );
      }
      for (const n of names) {
        if (entry.slots[n].length !== p.value.size) {
          throw new ShapeError(
            `optimizer state: ${entry.name} slot ${n} has ${entry.slots[n].length} values, needs ${p.value.size}`,
          );
        }
      }
    }
    for (const entry of state.params) {
      const slots = this.slots(byName.get(entry.name)!.value);
      names.forEach((n, i) => slots[i].backend.write(slots[i].storage, entry.slots[n]));
    }
    this.stepCount = state.stepCount;
  }

  /** Releases the optimiser's state. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s) t.dispose();
    this.state.clear();
    this.hyperStorage?.decay.dispose();
    this.hyperStorage?.plain.dispose();
    this.hyperStorage = null;
  }
}
