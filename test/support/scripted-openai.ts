import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http-body.js";

/**
 * A scripted OpenAI-compatible server speaking the way vLLM or llama.cpp server do, so the real
 * `openai` SDK runs against it. Chunk layouts follow the recordings in
 * test/fixtures/llm-responses/openai-compatible (which also replay verbatim through `raw` turns):
 * - vLLM: a first chunk with `role` and empty content; a tool call's first fragment carries `id`
 *   (`chatcmpl-tool-…`), `type` and `function.name` without arguments, then argument text in
 *   pieces (Python `json.dumps` spacing), then an empty piece carrying `finish_reason` and
 *   `stop_reason`; usage in a last chunk without choices.
 * - llama.cpp server: chunks with `system_fingerprint`; `id`/`type` only on a call's first
 *   delta, `function.name`/`arguments` only when non-empty; a finish chunk with an empty delta,
 *   then usage and `timings` in a chunk without choices.
 */
export type ServerFlavor = "vllm" | "llamacpp";

export interface OpenAIScriptedToolCall {
  name: string;
  /** Sent as is when a string (so broken JSON can be scripted), else serialized the server's way. */
  arguments: string | Record<string, unknown>;
  id?: string;
}

export interface OpenAIScriptedReply {
  content?: string;
  /** Streamed as `reasoning_content`, which both servers use for thinking models. */
  reasoning?: string;
  toolCalls?: OpenAIScriptedToolCall[];
  /** "tool_calls" when there are calls, else "stop", unless set (e.g. "length"). */
  finishReason?: string;
  /** Counted from the text (four characters a token) unless given; "none" sends no usage at all. */
  usage?: { promptTokens: number; completionTokens: number } | "none";
}

/** An error answer: `body` is sent as JSON (a string as plain text) with `status`. */
export interface OpenAIScriptedError {
  error: { status: number; body: unknown };
}

/**
 * A recorded stream replayed as is: every event becomes one `data:` line. `done: false` leaves out
 * `data: [DONE]`; `hang` keeps the response open after the last event, like a stalled server.
 */
export interface OpenAIScriptedRaw {
  raw: { status?: number; events: unknown[]; done?: boolean; hang?: boolean };
}

export interface OpenAIScriptedDelay {
  delayMs: number;
  turn: OpenAIScriptedTurn;
}

export type OpenAIScriptedTurn = OpenAIScriptedReply | OpenAIScriptedError | OpenAIScriptedRaw | OpenAIScriptedDelay;

export interface ScriptedOpenAIOptions {
  script: OpenAIScriptedTurn[];
  flavor?: ServerFlavor;
  /** The served model; default "Qwen/Qwen2.5-Coder-7B-Instruct". */
  model?: string;
  /** The `GET /v1/models` body, e.g. a recorded one; by default one entry in the flavor's shape. */
  models?: unknown;
  /** LM Studio's own model entries, served at `GET /api/v0/models/{id}`. */
  lmStudioModels?: Array<Record<string, unknown>>;
  /** When set, a request without `Authorization: Bearer <apiKey>` gets OpenAI's 401 body. */
  apiKey?: string;
}

export interface RecordedOpenAIRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Parsed JSON body; null for requests without one. */
  body: unknown;
}

export interface ChatCompletionBody {
  model: string;
  messages: Array<Record<string, unknown>>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  response_format?: unknown;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface ScriptedOpenAI {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/v1, the SDK's `baseURL`. */
  baseURL: string;
  requests: RecordedOpenAIRequest[];
  chatRequests(): ChatCompletionBody[];
  /** Script entries consumed so far. */
  readonly turnsServed: number;
  close(): Promise<void>;
}

const DEFAULT_MODEL = "Qwen/Qwen2.5-Coder-7B-Instruct";
const CREATED = 1_735_142_223;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (typeof body === "string") {
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(body);
    return;
  }
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alnum(length: number): string {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return [...randomBytes(length)].map((b) => letters[b % letters.length]).join("");
}

function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Python's `json.dumps` spacing, which vLLM's tool parsers emit. */
function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (isRecord(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJsonDumps(v)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

/** Token-sized pieces, as servers stream argument text. */
function fragments(text: string): string[] {
  const pieces = text.match(/\s*[\w./-]+|\s*[^\w\s]+|\s+/g) ?? [];
  return pieces.join("") === text && pieces.length > 0 ? pieces : [text];
}

function argumentText(call: OpenAIScriptedToolCall, flavor: ServerFlavor): string {
  if (typeof call.arguments === "string") return call.arguments;
  return flavor === "vllm" ? pythonJsonDumps(call.arguments) : JSON.stringify(call.arguments);
}

function chars(value: unknown): number {
  return typeof value === "string" ? value.length : value === undefined || value === null ? 0 : JSON.stringify(value).length;
}

function usageFor(
  reply: OpenAIScriptedReply,
  messages: unknown[],
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined {
  if (reply.usage === "none") return undefined;
  const prompt =
    reply.usage?.promptTokens ??
    Math.round(messages.reduce<number>((n, m) => n + (isRecord(m) ? chars(m.content) + chars(m.tool_calls) : 0), 0) / 4);
  const replyChars =
    chars(reply.content) + chars(reply.reasoning) + (reply.toolCalls ?? []).reduce((n, c) => n + c.name.length + chars(c.arguments), 0);
  const completion = reply.usage?.completionTokens ?? Math.max(1, Math.round(replyChars / 4));
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

interface StreamPlan {
  reply: OpenAIScriptedReply;
  model: string;
  usage: ReturnType<typeof usageFor>;
  includeUsage: boolean;
}

function finishOf(reply: OpenAIScriptedReply): string {
  return reply.finishReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? "tool_calls" : "stop");
}

function vllmEvents({ reply, model, usage, includeUsage }: StreamPlan): unknown[] {
  const id = `chatcmpl-${randomBytes(16).toString("hex")}`;
  const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
    id,
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...extra }],
  });
  const events: unknown[] = [chunk({ role: "assistant", content: "" })];
  for (const w of words(reply.reasoning ?? "")) events.push(chunk({ reasoning_content: w }));
  for (const w of words(reply.content ?? "")) events.push(chunk({ content: w }));
  const calls = reply.toolCalls ?? [];
  calls.forEach((call, index) => {
    events.push(
      chunk({
        tool_calls: [
          { id: call.id ?? `chatcmpl-tool-${randomBytes(16).toString("hex")}`, type: "function", index, function: { name: call.name } },
        ],
      }),
    );
    for (const piece of fragments(argumentText(call, "vllm")))
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  const last = calls.length > 0 ? { tool_calls: [{ index: calls.length - 1, function: { arguments: "" } }] } : { content: "" };
  events.push(chunk(last, finishOf(reply), { stop_reason: null }));
  if (includeUsage && usage) events.push({ id, object: "chat.completion.chunk", created: CREATED, model, choices: [], usage });
  return events;
}

function llamacppEvents({ reply, model, usage, includeUsage }: StreamPlan): unknown[] {
  const id = `chatcmpl-${alnum(32)}`;
  const envelope = { created: CREATED, id, model, system_fingerprint: "b6000-9a3e2f1c", object: "chat.completion.chunk" };
  const chunk = (delta: unknown, finish: string | null = null) => ({ choices: [{ finish_reason: finish, index: 0, delta }], ...envelope });
  const events: unknown[] = [chunk({ role: "assistant", content: null })];
  for (const w of words(reply.reasoning ?? "")) events.push(chunk({ reasoning_content: w }));
  for (const w of words(reply.content ?? "")) events.push(chunk({ content: w }));
  (reply.toolCalls ?? []).forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id ?? alnum(32), type: "function", function: { name: call.name } }] }));
    for (const piece of fragments(argumentText(call, "llamacpp")))
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, finishOf(reply)));
  if (includeUsage && usage) {
    const timings = { prompt_n: usage.prompt_tokens, prompt_ms: 120.5, predicted_n: usage.completion_tokens, predicted_ms: 840.2 };
    events.push({ choices: [], ...envelope, usage, timings });
  }
  return events;
}

function completionBody(reply: OpenAIScriptedReply, model: string, usage: ReturnType<typeof usageFor>, flavor: ServerFlavor): unknown {
  const calls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? (flavor === "vllm" ? `chatcmpl-tool-${randomBytes(16).toString("hex")}` : alnum(32)),
    type: "function",
    function: { name: call.name, arguments: argumentText(call, flavor) },
  }));
  const message = {
    role: "assistant",
    content: reply.content ?? (calls.length > 0 ? null : ""),
    ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
  return {
    id: `chatcmpl-${alnum(24)}`,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishOf(reply) }],
    ...(usage ? { usage } : {}),
  };
}

function writeEvents(res: ServerResponse, status: number, events: unknown[], done: boolean, hang: boolean): void {
  res.writeHead(status, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" });
  for (const event of events) res.write(`data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
  if (hang) return;
  if (done) res.write("data: [DONE]\n\n");
  res.end();
}

function defaultModels(flavor: ServerFlavor, model: string): unknown {
  if (flavor === "llamacpp") {
    return {
      object: "list",
      data: [
        {
          id: model,
          object: "model",
          created: CREATED,
          owned_by: "llamacpp",
          meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: 32768, n_embd: 3584, n_params: 7615616512, size: 4683071456 },
        },
      ],
    };
  }
  return {
    object: "list",
    data: [
      { id: model, object: "model", created: CREATED, owned_by: "vllm", root: model, parent: null, max_model_len: 32768, permission: [] },
    ],
  };
}

function modelIds(models: unknown): string[] {
  const data = isRecord(models) && Array.isArray(models.data) ? models.data : [];
  return data.flatMap((entry: unknown) => (isRecord(entry) && typeof entry.id === "string" ? [entry.id] : []));
}

class ScriptState {
  readonly requests: RecordedOpenAIRequest[] = [];
  #next = 0;

  constructor(readonly options: ScriptedOpenAIOptions) {}

  get flavor(): ServerFlavor {
    return this.options.flavor ?? "vllm";
  }

  get model(): string {
    return this.options.model ?? DEFAULT_MODEL;
  }

  get models(): unknown {
    return this.options.models ?? defaultModels(this.flavor, this.model);
  }

  get served(): number {
    return this.#next;
  }

  /** Past the end of the script the model "says nothing", which a client must cope with. */
  take(): OpenAIScriptedTurn {
    const turn = this.options.script[this.#next];
    if (turn === undefined) return { content: "" };
    this.#next += 1;
    return turn;
  }
}

async function handleChat(state: ScriptState, body: unknown, res: ServerResponse): Promise<void> {
  const request = isRecord(body) ? body : {};
  const model = typeof request.model === "string" ? request.model : "";
  // vLLM checks the name; llama.cpp's single-model server answers to any name.
  if (state.flavor === "vllm" && !modelIds(state.models).includes(model)) {
    return sendJson(res, 404, {
      error: { message: `The model \`${model}\` does not exist.`, type: "NotFoundError", param: "model", code: 404 },
    });
  }
  let turn = state.take();
  while ("delayMs" in turn) {
    await sleep(turn.delayMs);
    turn = turn.turn;
  }
  if (res.destroyed) return;
  if ("error" in turn) return sendJson(res, turn.error.status, turn.error.body);
  if ("raw" in turn) return writeEvents(res, turn.raw.status ?? 200, turn.raw.events, turn.raw.done ?? true, turn.raw.hang ?? false);
  const messages = Array.isArray(request.messages) ? (request.messages as unknown[]) : [];
  const usage = usageFor(turn, messages);
  if (request.stream !== true) return sendJson(res, 200, completionBody(turn, model, usage, state.flavor));
  const includeUsage = isRecord(request.stream_options) && request.stream_options.include_usage === true;
  const plan = { reply: turn, model, usage, includeUsage };
  writeEvents(res, 200, state.flavor === "vllm" ? vllmEvents(plan) : llamacppEvents(plan), true, false);
}

function notFound(state: ScriptState, res: ServerResponse): void {
  // FastAPI's answer (vLLM) and llama.cpp server's.
  if (state.flavor === "vllm") return sendJson(res, 404, { detail: "Not Found" });
  sendJson(res, 404, { error: { code: 404, message: "File Not Found", type: "not_found_error" } });
}

async function route(state: ScriptState, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  const method = req.method ?? "GET";
  const { apiKey } = state.options;
  if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
    const sent = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    return sendJson(res, 401, {
      error: {
        message: `Incorrect API key provided: ${sent.slice(0, 3)}***. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
  }
  if (method === "GET" && path === "/v1/models") return sendJson(res, 200, state.models);
  if (method === "POST" && path === "/v1/chat/completions") return handleChat(state, body, res);
  const lmStudio = /^\/api\/v0\/models\/(.+)$/.exec(path);
  if (method === "GET" && lmStudio && state.options.lmStudioModels) {
    const entry = state.options.lmStudioModels.find((m) => m.id === decodeURIComponent(lmStudio[1] ?? ""));
    return entry ? sendJson(res, 200, entry) : sendJson(res, 404, { error: "Model not found" });
  }
  notFound(state, res);
}

async function handleRequest(state: ScriptState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  let body: unknown;
  try {
    body = text.trim() === "" ? null : (JSON.parse(text) as unknown);
  } catch {
    body = null;
  }
  state.requests.push({
    method: req.method ?? "GET",
    path: new URL(req.url ?? "/", "http://127.0.0.1").pathname,
    authorization: req.headers.authorization,
    body,
  });
  await route(state, req, res, body);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Starts the server on a free loopback port.
 *
 * @example
 * const server = await startScriptedOpenAI({ flavor: "llamacpp", script: [{ toolCalls: [{ name: "read_file", arguments: { path: "a.ts" } }] }] });
 * const provider = new OpenAICompatibleProvider({ baseURL: server.baseURL, model: "any" });
 */
export async function startScriptedOpenAI(options: ScriptedOpenAIOptions): Promise<ScriptedOpenAI> {
  const state = new ScriptState(options);
  const server = createServer((req, res) => {
    handleRequest(state, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: "server_error", code: 500 } });
      else res.destroy();
    });
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests: state.requests,
    chatRequests: () =>
      state.requests.filter((r) => r.path === "/v1/chat/completions" && isRecord(r.body)).map((r) => r.body as ChatCompletionBody),
    get turnsServed() {
      return state.served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
