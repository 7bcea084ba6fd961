import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../jobs/logger.js";

/** Answers a request it recognizes and says so; false hands it to the next handler. */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;

export interface RunningHttpServer {
  readonly server: Server;
  /** Where it listens, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  close(): Promise<void>;
}

/** `GET /ping` answers `PONG`: for load balancers and health checks. */
export const pingHandler: HttpHandler = (request, response) => {
  if (request.method !== "GET" || new URL(request.url ?? "/", "http://localhost").pathname !== "/ping") return false;
  response.writeHead(200, { "content-type": "text/plain" }).end("PONG");
  return true;
};

/**
 * The bot's one HTTP server: every forge's webhook receiver on its own path, on one port. Each
 * handler gets the request in turn; what none takes is a 404.
 */
export async function startHttpServer(
  handlers: readonly HttpHandler[],
  options: { readonly port: number; readonly host?: string | undefined; readonly log: Logger },
): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    void (async () => {
      try {
        for (const handler of handlers) if (await handler(request, response)) return;
        response.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
      } catch (error) {
        options.log.error({ err: error, url: request.url }, "a request failed");
        if (!response.headersSent)
          response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "Internal Server Error" }));
        else response.end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => closeGracefully(server),
  };
}

/** How long requests in flight (a delivery being stored) may take to finish when the bot stops. */
const GRACE_MS = 5_000;

/** Stops taking connections, lets the requests in flight finish, and cuts what is left after a grace period. */
function closeGracefully(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), GRACE_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
