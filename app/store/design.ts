// The network design being edited: the layers and connections, the selection, the batch size the
// estimates use, and undo/redo. The design and batch size persist in localStorage, so a reload keeps them.
import { useMemo } from 'react';
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type {
  Design,
  DesignAnalysis,
  DesignNode,
  GpuBufferLimits,
  LayerSettingsByType,
  LayerType,
  Position,
  TemplateFit,
} from '../../src/engine/graph';
import {
  DesignBuilder,
  DESIGN_FORMAT_VERSION,
  LAYER_SPACING_Y,
  adaptDesign,
  WEBGPU_DEFAULT_BUFFER_LIMITS,
  analyzeDesign,
  defaultSettings,
  designFromValue,
  templateById,
} from '../../src/engine/graph';
import { useEngineStore } from './engine';
import { useRunStore } from './run';

const HISTORY_LIMIT = 100;
export const MAX_BATCH_SIZE = 65536;

export interface Selection {
  nodeIds: string[];
  edgeIds: string[];
}

interface DesignStore {
  design: Design;
  selection: Selection;
  past: Design[];
  future: Design[];

  /** Replaces the whole design (template, import, share link) as one undoable step. */
  loadDesign(design: Design, selectNodeIds?: string[]): void;
  /**
   * Fits the design to a data set (Input shape, output units and activation) as one undoable step;
   * returns a sentence per change, empty when it already fitted (then nothing is recorded).
   */
  adaptToData(fit: TemplateFit): string[];
  /**
   * Adds a layer at `position` and returns its id. With `after`, it is connected from that layer and
   * placed below it; with `onEdge`, it is inserted into that connection.
   */
  addLayer(type: LayerType, options?: { position?: Position; after?: string; onEdge?: string }): string;
  /** Connects source → target; returns false when that connection already exists. */
  connect(source: string, target: string): boolean;
  remove(nodeIds: string[], edgeIds: string[]): void;
  removeSelection(): void;
  updateSetting(id: string, key: string, value: unknown): void;
  rename(id: string, name: string): void;
  renameDesign(name: string): void;
  /** Records the design before a drag, so one drag is one undo step. */
  checkpoint(): void;
  /** Moves layers without recording history (a drag in progress). */
  moveNodes(positions: Map<string, Position>): void;
  setSelection(selection: Selection): void;
  undo(): void;
  redo(): void;
}

export function defaultDesign(): Design {
  return templateById('cnn')!.build();
}

/** A new design: one Input layer to build on. */
export function emptyDesign(): Design {
  const b = new DesignBuilder('Untitled design');
  b.add('Input', { shape: [28, 28, 1] });
  return b.build();
}

function nextId(design: Design, type: LayerType): { id: string; name: string } {
  const prefix = type.toLowerCase();
  let n = 1;
  const ids = new Set(design.nodes.map((node) => node.id));
  const names = new Set(design.nodes.map((node) => node.name));
  while (ids.has(`${prefix}_${n}`) || names.has(`${type} ${n}`)) n++;
  return { id: `${prefix}_${n}`, name: `${type} ${n}` };
}

function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

/** Below the lowest layer: where a layer added with nothing selected goes. */
function freePosition(design: Design): Position {
  if (design.nodes.length === 0) return { x: 240, y: 40 };
  const lowest = design.nodes.reduce((a, b) => (b.position.y > a.position.y ? b : a));
  return { x: lowest.position.x, y: lowest.position.y + LAYER_SPACING_Y };
}

export const useDesignStore = create<DesignStore>()(
  persist(
    (set, get) => {
      // Edits of the same setting in a row (typing "128" is three edits) make one undo step.
      let lastEditKey: string | null = null;
      /** Applies an edit as one undoable step, or merges it into the last one when `editKey` repeats. */
      const commit = (design: Design, selection?: Selection, editKey: string | null = null) => {
        const merge = editKey !== null && editKey === lastEditKey;
        lastEditKey = editKey;
        set((s) => ({
          design,
          past: merge ? s.past : [...s.past, s.design].slice(-HISTORY_LIMIT),
          future: [],
          ...(selection ? { selection } : {}),
        }));
      };

      return {
        design: defaultDesign(),
        selection: { nodeIds: [], edgeIds: [] },
        past: [],
        future: [],

        loadDesign: (design, selectNodeIds = []) => commit(design, { nodeIds: selectNodeIds, edgeIds: [] }),

        adaptToData: (fit) => {
          const { design, changes } = adaptDesign(get().design, fit);
          if (changes.length > 0) commit(design);
          return changes;
        },

        addLayer: (type, options = {}) => {
          const { design } = get();
          const { id, name } = nextId(design, type);
          const after = options.after ? design.nodes.find((n) => n.id === options.after) : undefined;
          const position =
            options.position ??
            (after ? { x: after.position.x, y: after.position.y + LAYER_SPACING_Y } : freePosition(design));
          const node = { id, type, name, settings: defaultSettings(type), position } as DesignNode;
          let edges = design.edges;
          const split = options.onEdge ? edges.find((e) => e.id === options.onEdge) : undefined;
          if (split) {
            // Keep the connection's place in the list, so a merge layer keeps its input order.
            edges = edges.flatMap((e) =>
              e === split
                ? [
                    { id: edgeId(e.source, id), source: e.source, target: id },
                    { id: edgeId(id, e.target), source: id, target: e.target },
                  ]
                : [e],
            );
          } else if (after) {
            edges = [...edges, { id: edgeId(after.id, id), source: after.id, target: id }];
          }
          commit({ ...design, nodes: [...design.nodes, node], edges }, { nodeIds: [id], edgeIds: [] });
          return id;
        },

        connect: (source, target) => {
          const { design } = get();
          const id = edgeId(source, target);
          if (design.edges.some((e) => e.id === id)) return false;
          commit({ ...design, edges: [...design.edges, { id, source, target }] });
          return true;
        },

        remove: (nodeIds, edgeIds) => {
          if (nodeIds.length === 0 && edgeIds.length === 0) return;
          const { design, selection } = get();
          const nodes = new Set(nodeIds);
          const edges = new Set(edgeIds);
          commit(
            {
              ...design,
              nodes: design.nodes.filter((n) => !nodes.has(n.id)),
              edges: design.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
            },
            {
              nodeIds: selection.nodeIds.filter((id) => !nodes.has(id)),
              edgeIds: selection.edgeIds.filter((id) => !edges.has(id)),
            },
          );
        },

        removeSelection: () => {
          const { selection } = get();
          get().remove(selection.nodeIds, selection.edgeIds);
        },

        updateSetting: (id, key, value) => {
          const { design } = get();
          commit(
            {
              ...design,
              nodes: design.nodes.map((n) =>
                n.id === id
                  ? ({
                      ...n,
                      settings: { ...n.settings, [key]: value } as LayerSettingsByType[LayerType],
                    } as DesignNode)
                  : n,
              ),
            },
            undefined,
            `setting:${id}:${key}`,
          );
        },

        rename: (id, name) => {
          const { design } = get();
          commit(
            { ...design, nodes: design.nodes.map((n) => (n.id === id ? { ...n, name } : n)) },
            undefined,
            `name:${id}`,
          );
        },

        renameDesign: (name) => commit({ ...get().design, name }, undefined, 'design-name'),

        checkpoint: () => commit(get().design),

        moveNodes: (positions) => {
          const { design } = get();
          set({
            design: {
              ...design,
              nodes: design.nodes.map((n) => {
                const p = positions.get(n.id);
                return p ? { ...n, position: { x: p.x, y: p.y } } : n;
              }),
            },
          });
        },

        setSelection: (selection) => set({ selection }),

        undo: () => {
          const { past, design, future } = get();
          if (past.length === 0) return;
          lastEditKey = null;
          set({
            design: past[past.length - 1],
            past: past.slice(0, -1),
            future: [design, ...future],
            selection: { nodeIds: [], edgeIds: [] },
          });
        },

        redo: () => {
          const { past, design, future } = get();
          if (future.length === 0) return;
          lastEditKey = null;
          set({
            design: future[0],
            past: [...past, design],
            future: future.slice(1),
            selection: { nodeIds: [], edgeIds: [] },
          });
        },
      };
    },
    {
      name: 'playground.design',
      version: DESIGN_FORMAT_VERSION,
      storage: createJSONStorage(() => localStorage),
      // The batch size lives in the run settings (app/store/run.ts): one figure for the designer and training.
      partialize: (s) => ({ design: s.design }),
      // What localStorage holds is untrusted (another version, a hand edit): read it like an imported file.
      merge: (persisted, current) => {
        const saved = (persisted ?? {}) as { design?: unknown };
        let design = current.design;
        try {
          if (saved.design !== undefined) design = designFromValue(saved.design);
        } catch (e) {
          console.warn('The saved design could not be read and was replaced by the default:', e);
        }
        return { ...current, design };
      },
    },
  ),
);

/** What engines without a per-buffer limit (wasm, cpu) report: nothing is refused for its size here. */
export const NO_BUFFER_LIMITS: GpuBufferLimits = {
  maxStorageBufferBindingSize: Number.MAX_SAFE_INTEGER,
  maxBufferSize: Number.MAX_SAFE_INTEGER,
};

/**
 * The GPU's buffer limits, or WebGPU's defaults while no adapter is known. Engines without per-buffer
 * limits (wasm, cpu) get none here: the wasm engine checks its total memory when a run starts.
 */
export function useGpuBufferLimits(): GpuBufferLimits {
  const noGpuLimits = useEngineStore((s) => s.status.state === 'wasm' || s.status.state === 'cpu');
  const maxBinding = useEngineStore((s) =>
    s.status.state === 'webgpu' ? s.status.adapter.limits.maxStorageBufferBindingSize : null,
  );
  const maxBuffer = useEngineStore((s) => (s.status.state === 'webgpu' ? s.status.adapter.limits.maxBufferSize : null));
  return useMemo(
    () =>
      noGpuLimits
        ? NO_BUFFER_LIMITS
        : maxBinding !== null && maxBuffer !== null
          ? { maxStorageBufferBindingSize: maxBinding, maxBufferSize: maxBuffer }
          : WEBGPU_DEFAULT_BUFFER_LIMITS,
    [noGpuLimits, maxBinding, maxBuffer],
  );
}

/** Positions do not change the analysis: the key leaves them out, so a drag does not recompute it. */
function structureKey(design: Design): string {
  return JSON.stringify([design.nodes.map((n) => [n.id, n.type, n.name, n.settings]), design.edges]);
}

/**
 * The live analysis of the current design (shapes, parameters, FLOPs, memory, errors) at the chosen
 * batch size and this GPU's limits. The training panel reads `valid` and `errors` to say why it cannot start.
 */
export function useDesignAnalysis(): DesignAnalysis {
  const design = useDesignStore((s) => s.design);
  const batchSize = useRunStore((s) => s.settings.batchSize);
  const limits = useGpuBufferLimits();
  const key = structureKey(design);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` captures everything of `design` that matters
  return useMemo(() => analyzeDesign(design, { batchSize, limits }), [key, batchSize, limits]);
}
