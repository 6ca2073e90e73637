// Types for pid-file.mjs.
export interface ProcessIdentity {
  readonly bootId: string;
  readonly startTime: string;
  readonly cmdline: string;
}
export declare function processIdentity(pid: number): ProcessIdentity | undefined;
export declare function writePidFile(file: string, pid: number): void;
export declare function readPidFile(file: string): { pid: number; identity: ProcessIdentity | undefined } | undefined;
export declare function compareProcess(pid: number, identity: ProcessIdentity | undefined): 'same' | 'gone' | 'other';
