import type { Logger } from '../logger.js';

/** A logger that keeps every line, whatever its level, so a test can assert on what a pack reported. */
export function recordingLogger(lines: string[]): Logger {
  const record = (message: string): void => {
    lines.push(message);
  };
  return { error: record, warn: record, info: record, debug: record };
}
