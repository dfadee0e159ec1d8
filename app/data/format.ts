// Number formatting for the Data section.
export const formatCount = (n: number) => n.toLocaleString('en-US');

/** Bytes in the unit a person reads: "812 KB", "9.3 MB" (decimal, like a browser's download list). */
export function formatDataBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(bytes < 1e4 ? 1 : 0)} KB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
