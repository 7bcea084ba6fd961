import type { Logger } from "../jobs/logger.js";

/** Warnings and errors as plain lines on stderr, for a person at a terminal; information is left out. */
export function consoleLogger(): Logger {
  const line = (level: string) => (obj: object | string, msg?: string) => {
    const err = typeof obj === "object" ? (obj as { err?: unknown }).err : undefined;
    const text = typeof obj === "string" ? obj : (msg ?? "");
    console.error(`${level}: ${text}${err instanceof Error ? ` (${err.message})` : ""}`);
  };
  return { info: () => undefined, warn: line("warning"), error: line("error") };
}
