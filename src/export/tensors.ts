// Every named tensor of a compiled model, for export: the trained parameters (kernel, bias, gamma, beta)
// and the layer state that inference needs (BatchNorm moving_mean, moving_variance), grouped by layer.
// Loading them back checks every name and shape first, so a file that does not fit changes nothing.
import type { GraphModel } from '../engine/model/graph-model';
import { ModelFileError } from './errors';
import type { NamedTensor } from './safetensors';

/** The layer part of "dense_1/kernel". */
const layerOf = (name: string) => name.slice(0, name.lastIndexOf('/'));

interface Slot {
  name: string;
  shape: number[];
  /** Writes the values into the model (called only after every tensor was checked). */
  write(data: Float32Array): void;
}

function slots(model: GraphModel): Slot[] {
  const params = model.parameters();
  const state = model.state();
  const out: Slot[] = [];
  const writeParam = (data: Float32Array, i: number) => model.backend.write(params[i].value.storage, data);
  params.forEach((p, i) => out.push({ name: p.name, shape: [...p.value.shape], write: (d) => writeParam(d, i) }));
  // State goes right after its layer's parameters, so a file reads layer by layer.
  for (const s of state) {
    const layer = layerOf(s.name);
    let at = out.length;
    for (let i = out.length - 1; i >= 0; i--) {
      if (layerOf(out[i].name) === layer) {
        at = i + 1;
        break;
      }
    }
    out.splice(at, 0, {
      name: s.name,
      shape: [...s.value.shape],
      write: (d) => model.backend.write(s.value.storage, d),
    });
  }
  return out;
}

/** All tensors of `model` (parameters and BatchNorm state), copied to the host, layer by layer. */
export async function modelTensors(model: GraphModel): Promise<NamedTensor[]> {
  const params = new Map(model.parameters().map((p) => [p.name, p.value]));
  const state = new Map(model.state().map((s) => [s.name, s.value]));
  const out: NamedTensor[] = [];
  for (const slot of slots(model)) {
    const value = params.get(slot.name) ?? state.get(slot.name)!;
    out.push({ name: slot.name, shape: slot.shape, data: await value.data() });
  }
  return out;
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Writes `tensors` into `model` by name. Every tensor the model has must be present once with its exact
 * shape, no other tensor may be present, and every value must be finite; otherwise a ModelFileError
 * names the tensor and nothing is written.
 */
export function loadModelTensors(model: GraphModel, tensors: readonly NamedTensor[], file = 'model.safetensors'): void {
  const wanted = slots(model);
  const byName = new Map<string, NamedTensor>();
  const hint = 'Load weights exported from this same design, or open the design stored in the file.';
  for (const t of tensors) {
    if (byName.has(t.name)) throw new ModelFileError(file, `tensor "${t.name}" appears twice`, hint);
    byName.set(t.name, t);
  }
  const missing = wanted.filter((s) => !byName.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new ModelFileError(
      file,
      `it lacks ${missing.length} tensor${missing.length === 1 ? '' : 's'} this design needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      hint,
    );
  }
  const known = new Set(wanted.map((s) => s.name));
  const extra = tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  if (extra.length > 0) {
    throw new ModelFileError(
      file,
      `it holds ${extra.length} tensor${extra.length === 1 ? '' : 's'} this design does not have: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`,
      hint,
    );
  }
  for (const slot of wanted) {
    const t = byName.get(slot.name)!;
    const size = slot.shape.reduce((a, b) => a * b, 1);
    if (t.shape.length !== slot.shape.length || t.shape.some((d, i) => d !== slot.shape[i]) || t.data.length !== size) {
      throw new ModelFileError(
        file,
        `tensor "${slot.name}" has shape ${fmt(t.shape)} (${t.data.length} values) but this design needs ${fmt(slot.shape)}`,
        hint,
      );
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new ModelFileError(
        file,
        `tensor "${slot.name}" holds ${t.data[bad]} at index ${bad}; weights must be finite numbers`,
        'The model diverged before it was saved; export it from an earlier point or retrain with a lower learning rate.',
      );
    }
  }
  for (const slot of wanted) slot.write(byName.get(slot.name)!.data);
}
