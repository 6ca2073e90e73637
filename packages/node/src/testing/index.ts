export { CumulativeReader } from './cumulative-reader.js';
export { recordingLogger } from './recording-logger.js';
export { createTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
