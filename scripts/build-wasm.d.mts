export declare const WASM_BUILDS: Record<string, string[]>;
export declare function buildWasm(options?: { force?: boolean }): Promise<void>;
