// Small helpers for writing Python source text from TypeScript: literals that Python reads back
// exactly (strings, floats, booleans, tuples) and identifiers that never clash with a keyword, a name
// the generated code uses itself, or an attribute of torch.nn.Module.

/** Python keywords and the soft keywords match/case/type. */
const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield match case type'
  ).split(' '),
);

/** Names the generated model.py uses itself, and attributes every nn.Module has. */
const RESERVED = new Set(
  (
    'x self torch nn f math json os path np numpy safetensors load_file save_file inputs outputs ' +
    'training train eval forward predict cuda cpu to float double half type apply parameters buffers ' +
    'children modules state_dict load_state_dict zero_grad register_buffer register_parameter ' +
    'named_parameters named_buffers named_modules named_children requires_grad_ extra_repr dump_patches ' +
    'call_super_init get_parameter get_buffer get_submodule add_module register_module share_memory ' +
    'bfloat16 ipu xpu mtia compile reset_playground_parameters avg_pool_in_bounds to_torch_layout ' +
    'to_playground_layout read_design_json load_playground_safetensors save_playground_safetensors ' +
    'safe_open super isinstance getattr open str int float list tuple dict set print len range sum min max'
  ).split(' '),
);

/**
 * A Python string literal of `text`, ASCII only (everything else escaped), in single quotes. Double quotes
 * are escaped too, so the literal is safe inside a triple-quoted docstring.
 */
export function pyString(text: string): string {
  let out = "'";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + "'";
}

/** Text safe inside a one-line Python comment: printable ASCII, no line breaks. */
export function pyComment(text: string): string {
  const literal = pyString(text);
  return literal.slice(1, -1);
}

/** A Python float literal that reads back as exactly `value` (which must be finite). */
export function pyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a Python float`);
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** A Python int literal; throws unless `value` is a whole number. */
export function pyInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`cannot write ${value} as a Python int`);
  return String(value);
}

export function pyBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** A Python tuple of ints: (28, 28, 1) or (784,). */
export function pyIntTuple(values: readonly number[]): string {
  const items = values.map(pyInt);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/**
 * A Python identifier made from a weight name (already [a-z0-9_]): prefixed with "layer_" when it starts
 * with a digit, is a keyword, or clashes with a name the generated code or nn.Module uses.
 */
export function pyIdentifier(name: string): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '_') || 'layer';
  if (/^[0-9]/.test(base) || KEYWORDS.has(base) || RESERVED.has(base) || base.startsWith('__')) {
    return `layer_${base}`;
  }
  return base;
}
