import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody, sendJson } from "./http-body.js";

export interface FakeOllamaEmbedOptions {
  /** Models that embed, with their dimension. */
  readonly embeddingModels: Readonly<Record<string, number>>;
  /** Models that exist but only chat: asked to embed, they fail as Ollama's runner does. */
  readonly chatModels?: readonly string[];
}

export interface EmbedRequestBody {
  model: string;
  input: string | string[];
  truncate?: boolean;
  keep_alive?: string | number;
  options?: Record<string, unknown>;
  dimensions?: number;
}

export interface FakeOllamaEmbed {
  /** http://127.0.0.1:<port>, the `host` of an `Ollama` client. */
  readonly url: string;
  readonly requests: EmbedRequestBody[];
  close(): Promise<void>;
}

/**
 * Ollama's `/api/embed` as the server speaks it: `{model, input, truncate}` in, `{model,
 * embeddings, total_duration, load_duration, prompt_eval_count}` out, `{"error": …}` with the
 * server's own messages for a missing model (404) and a chat model (500, from the runner). Each
 * text's vector is derived from its hash, unit-length as Ollama returns them.
 */
export async function startFakeOllamaEmbed(options: FakeOllamaEmbedOptions): Promise<FakeOllamaEmbed> {
  const requests: EmbedRequestBody[] = [];
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) =>
      sendJson(response, 500, { error: String(error) }, "application/json; charset=utf-8"),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://fake");
    if (request.method !== "POST" || url.pathname !== "/api/embed") {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("404 page not found");
      return;
    }
    const body = JSON.parse(await readBody(request)) as EmbedRequestBody;
    requests.push(body);
    const dimensions = options.embeddingModels[body.model];
    if (options.chatModels?.includes(body.model))
      return sendJson(response, 500, { error: "this model does not support embeddings" }, "application/json; charset=utf-8");
    if (dimensions === undefined)
      return sendJson(response, 404, { error: `model "${body.model}" not found, try pulling it first` }, "application/json; charset=utf-8");
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    sendJson(
      response,
      200,
      {
        model: body.model,
        embeddings: inputs.map((text) => hashVector(text, dimensions)),
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0),
      },
      "application/json; charset=utf-8",
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A deterministic unit vector for a text. */
export function hashVector(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (let index = 0; index + 1 < digest.length && values.length < dimensions; index += 2) values.push(digest.readInt16LE(index) / 32768);
  }
  const length = Math.hypot(...values) || 1;
  return values.map((x) => x / length);
}
