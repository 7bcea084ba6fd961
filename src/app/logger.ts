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
        return JSON.parse(redactor.redact(JSON.stringify(object))) as Record<string, unknown>;
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
