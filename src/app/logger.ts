import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { Redactor } from "../safety/redact.js";

/**
 * The bot's logger. Everything logged passes the redactor: the configured secrets, and credential
 * shapes (tokens, keys) wherever they appear, in messages and in logged objects alike.
 */
export function createLogger(level: string, secrets: ReadonlyArray<string | undefined>, destination?: DestinationStream): Logger {
  const redactor = new Redactor(secrets);
  const options: LoggerOptions = {
    name: "coder-bot",
    level,
    redact: { paths: ["*.headers.authorization", "*.request.headers.authorization", "headers.authorization"], censor: "[REDACTED]" },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === "string" ? redactor.redact(a) : a)) as Parameters<typeof method>);
      },
    },
    formatters: {
      log(object) {
        return redactValue(object, redactor, 0) as Record<string, unknown>;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Redacts every string inside a logged value; errors keep their type, message and stack. */
function redactValue(value: unknown, redactor: Redactor, depth: number): unknown {
  if (typeof value === "string") return redactor.redact(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    // A copy of the same class: pino's error serializer, which runs afterwards, names it by class.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error & Record<string, unknown>;
    for (const [key, field] of Object.entries(value)) copy[key] = redactValue(field, redactor, depth + 1);
    copy.message = redactor.redact(value.message);
    copy.stack = redactor.redact(value.stack ?? "");
    const cause = (value as { cause?: unknown }).cause;
    if (cause !== undefined) copy.cause = redactValue(cause, redactor, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redactor, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, redactor, depth + 1)]));
}
