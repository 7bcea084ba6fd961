/**
 * The baseline for bench/ack.ts: a Probot server with one no-op `issue_comment.created` handler
 * and nothing else. Settings come from the environment:
 * APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, BASE_URL (GitHub API), HOST, PORT, LOG_LEVEL.
 *
 * Logging is set up as `coder-bot serve` does it (one pino logger at LOG_LEVEL for the Server and
 * Probot): without a `log`, Probot's Server logs every request at info, pretty-printed, whatever
 * LOG_LEVEL says, and the baseline would pay for logging the bot does not do.
 */
import { pino } from "pino";
import { Probot, Server } from "probot";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`bare-probot-app: ${name} is not set`);
  return value;
}

const port = Number(required("PORT"));
const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
const level = levels.find((l) => l === process.env.LOG_LEVEL) ?? "info";
const log = pino({ name: "bare-probot-app", level });
const server = new Server({
  log,
  port,
  host: process.env.HOST ?? "127.0.0.1",
  webhookPath: "/api/github/webhooks",
  Probot: Probot.defaults({
    appId: required("APP_ID"),
    privateKey: required("PRIVATE_KEY").replace(/\\n/g, "\n"),
    secret: required("WEBHOOK_SECRET"),
    log,
    ...(process.env.BASE_URL ? { baseUrl: process.env.BASE_URL } : {}),
  }),
});

await server.load((app) => {
  app.on("issue_comment.created", async () => {});
});
await server.start();

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void server.stop().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
