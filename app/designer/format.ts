// Numbers as the designer shows them: counts with thousands separators, FLOPs and bytes with units.
export { formatBytes } from '../../src/engine/gpu/errors';

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "11.3 MFLOPs" */
export function formatFlops(flops: number): string {
  const units = ['FLOPs', 'kFLOPs', 'MFLOPs', 'GFLOPs', 'TFLOPs'];
  let value = flops;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
