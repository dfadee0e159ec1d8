// Designs as JSON files and as share links. Anything read back is untrusted: it is checked field by
// field and rebuilt from known keys only, and a bad file is rejected with a message naming the place.
import type { FieldSpec, LayerSpec } from './layers';
import { LAYERS, checkFieldValue } from './layers';
import type { Design, DesignEdge, DesignNode, LayerType } from './types';
import { DESIGN_FORMAT_VERSION, LAYER_TYPES } from './types';

/** A design file or link that cannot be read; the message says where and what is wrong. */
export class DesignFormatError extends Error {
  override name = 'DesignFormatError';
}

export const MAX_DESIGN_JSON_CHARS = 2_000_000;
export const MAX_DESIGN_NODES = 500;
const MAX_ID_CHARS = 100;
const MAX_NAME_CHARS = 200;

/** The file format: pretty JSON with a version, the layers and the connections. */
export function designToJson(design: Design): string {
  return JSON.stringify(compact(design), null, 2);
}

function compact(design: Design): Design {
  return {
    version: DESIGN_FORMAT_VERSION,
    name: design.name,
    nodes: design.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      name: n.name,
      settings: n.settings,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })) as DesignNode[],
    edges: design.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, where: string, maxChars: number, allowEmpty = false): string {
  if (typeof value !== 'string') throw new DesignFormatError(`${where} must be a string`);
  if (!allowEmpty && value.length === 0) throw new DesignFormatError(`${where} must not be empty`);
  if (value.length > maxChars) throw new DesignFormatError(`${where} is longer than ${maxChars} characters`);
  return value;
}

function coordinate(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 1e7) {
    throw new DesignFormatError(`${where} must be a finite number`);
  }
  return value;
}

/** Checks a parsed value and rebuilds it as a Design; throws DesignFormatError naming the first problem. */
export function designFromValue(value: unknown): Design {
  if (!isRecord(value)) throw new DesignFormatError('A design must be a JSON object with "nodes" and "edges"');
  if (value.version !== DESIGN_FORMAT_VERSION) {
    throw new DesignFormatError(
      `Unsupported design version ${JSON.stringify(value.version)}: this playground reads version ${DESIGN_FORMAT_VERSION}`,
    );
  }
  const name = value.name === undefined ? 'Imported design' : text(value.name, '"name"', MAX_NAME_CHARS, true);
  if (!Array.isArray(value.nodes)) throw new DesignFormatError('"nodes" must be an array of layers');
  if (!Array.isArray(value.edges)) throw new DesignFormatError('"edges" must be an array of connections');
  if (value.nodes.length > MAX_DESIGN_NODES) {
    throw new DesignFormatError(
      `The design has ${value.nodes.length} layers; at most ${MAX_DESIGN_NODES} are supported`,
    );
  }

  const ids = new Set<string>();
  const nodes = value.nodes.map((raw, i): DesignNode => {
    const where = `nodes[${i}]`;
    if (!isRecord(raw)) throw new DesignFormatError(`${where} must be an object`);
    const id = text(raw.id, `${where}.id`, MAX_ID_CHARS);
    if (ids.has(id)) throw new DesignFormatError(`${where}.id "${id}" is used by two layers`);
    ids.add(id);
    if (typeof raw.type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(raw.type)) {
      throw new DesignFormatError(
        `${where}.type ${JSON.stringify(raw.type)} is not a layer type (expected one of ${LAYER_TYPES.join(', ')})`,
      );
    }
    const type = raw.type as LayerType;
    const layerName = raw.name === undefined ? id : text(raw.name, `${where}.name`, MAX_NAME_CHARS);
    const rawSettings = raw.settings ?? {};
    if (!isRecord(rawSettings)) throw new DesignFormatError(`${where}.settings must be an object`);
    const spec = LAYERS[type] as LayerSpec<LayerType>;
    const settings: Record<string, unknown> = {};
    for (const field of spec.fields as readonly FieldSpec[]) {
      if (!Object.hasOwn(rawSettings, field.key)) {
        throw new DesignFormatError(`${where}.settings.${field.key} is missing (${type} "${layerName}")`);
      }
      const fieldValue = rawSettings[field.key];
      const problem = checkFieldValue(field, fieldValue);
      if (problem) throw new DesignFormatError(`${where}.settings.${field.key}: ${problem} (${type} "${layerName}")`);
      settings[field.key] = Array.isArray(fieldValue) ? [...fieldValue] : fieldValue;
    }
    for (const key of Object.keys(rawSettings)) {
      if (!spec.fields.some((f) => f.key === key)) {
        throw new DesignFormatError(`${where}.settings has an unknown setting "${key}" for ${type}`);
      }
    }
    const rawPosition = raw.position ?? { x: 0, y: 0 };
    if (!isRecord(rawPosition)) throw new DesignFormatError(`${where}.position must be an object {x, y}`);
    const position = {
      x: coordinate(rawPosition.x, `${where}.position.x`),
      y: coordinate(rawPosition.y, `${where}.position.y`),
    };
    return { id, type, name: layerName, settings, position } as DesignNode;
  });

  const edgeIds = new Set<string>();
  const edges = value.edges.map((raw, i): DesignEdge => {
    const where = `edges[${i}]`;
    if (!isRecord(raw)) throw new DesignFormatError(`${where} must be an object`);
    const source = text(raw.source, `${where}.source`, MAX_ID_CHARS);
    const target = text(raw.target, `${where}.target`, MAX_ID_CHARS);
    const id = raw.id === undefined ? `${source}->${target}` : text(raw.id, `${where}.id`, MAX_ID_CHARS * 2 + 2);
    if (edgeIds.has(id)) throw new DesignFormatError(`${where}.id "${id}" is used by two connections`);
    edgeIds.add(id);
    for (const [end, ref] of [
      ['source', source],
      ['target', target],
    ] as const) {
      if (!ids.has(ref))
        throw new DesignFormatError(`${where}.${end} "${ref}" is not the id of a layer in this design`);
    }
    return { id, source, target };
  });
  return { version: DESIGN_FORMAT_VERSION, name, nodes, edges };
}

/** Parses a design file's text; throws DesignFormatError with a clear reason when it is not one. */
export function parseDesignJson(json: string): Design {
  if (json.length > MAX_DESIGN_JSON_CHARS) {
    throw new DesignFormatError(
      `The file is too large for a design (${json.length} characters, at most ${MAX_DESIGN_JSON_CHARS})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new DesignFormatError(`Not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return designFromValue(value);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded))
    throw new DesignFormatError('The shared design link is damaged (not base64url)');
  const padded = encoded.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (encoded.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new DesignFormatError('The shared design link is damaged (not base64url)');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A design as one URL-safe string: base64url of its compact JSON. */
export function encodeDesignForUrl(design: Design): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(compact(design))));
}

/** Reads a design from `encodeDesignForUrl`'s string; throws DesignFormatError when it is damaged. */
export function decodeDesignFromUrl(encoded: string): Design {
  if (encoded.length > MAX_DESIGN_JSON_CHARS) throw new DesignFormatError('The shared design link is too long');
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(encoded));
  } catch (e) {
    if (e instanceof DesignFormatError) throw e;
    throw new DesignFormatError('The shared design link is damaged (not UTF-8)');
  }
  return parseDesignJson(json);
}

/** The query parameter a share link carries the design in. */
export const DESIGN_URL_PARAM = 'design';
