/** The structured log jobs and workers write to (pino's shape, which Probot's logger has too). */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}
