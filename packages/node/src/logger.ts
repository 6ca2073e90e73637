/** otelkit's own diagnostic log; every line starts with `otelkit:`. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}
