export declare const SWIFTSHADER_ICD: string;
export declare function nodeGpuEnv(env?: Record<string, string | undefined>): Record<string, string>;
