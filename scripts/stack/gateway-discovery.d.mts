// Types for gateway-discovery.mjs.
export interface DiscoveryOptions {
  stateDir: string;
  host: string;
  port: number;
  agents: string[];
  gateways: { name: string; endpoint: string; health: string }[];
  intervalMs: number;
  failures: number;
}
export declare function parseDiscoveryArgs(argv: string[]): DiscoveryOptions;
export declare function writeGatewayList(stateDir: string, endpoints: readonly string[]): void;
