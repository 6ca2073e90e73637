// Types for scale-artifacts.mjs.
export declare const KUBERNETES_CONFIG: string;
export declare const PROMETHEUS_SCALE_CONFIG: string;
export declare const KUBERNETES_NAMESPACE: string;
export declare const KUBERNETES_CONFIG_MAPS: Readonly<Record<string, readonly string[]>>;
export declare function scaleArtifacts(root: string): Map<string, string>;
