import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readBody } from "./http-body.js";

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface ScriptedReply {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  thinking?: string;
  /** The final chunk's `done_reason`; "stop" unless set ("length" when num_predict ran out). */
  doneReason?: string;
}

export interface ScriptedError {
  error: { status: number; message: string };
}

export interface ScriptedDelay {
  delayMs: number;
  turn: ScriptedTurn;
}

/**
 * A recorded answer replayed as is: each line is written as one NDJSON line (objects are
 * serialized, strings sent verbatim). With `hang`, the response stays open after the last line,
 * like a runner that stopped producing tokens without closing the connection.
 */
export interface ScriptedRaw {
  raw: { status?: number; lines: unknown[]; hang?: boolean };
}

export type ScriptedTurn = ScriptedReply | ScriptedError | ScriptedDelay | ScriptedRaw;

export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body; null for requests without one. */
  body: unknown;
}

export interface ChatMessageBody {
  role: string;
  content?: string;
  thinking?: string;
  tool_calls?: unknown[];
  tool_name?: string;
  [key: string]: unknown;
}

export interface ChatRequestBody {
  model: string;
  messages: ChatMessageBody[];
  tools?: unknown[];
  stream?: boolean;
  think?: unknown;
  options?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ScriptedOllamaOptions {
  model?: string;
  script: ScriptedTurn[];
  models?: string[];
  /** The `/api/show` body for every known model, e.g. a recorded one; a qwen2.5 body by default. */
  show?: Record<string, unknown>;
  port?: number;
  onRequest?: (request: RecordedRequest) => void;
}

export interface ScriptedOllama {
  /** http://127.0.0.1:<port> — pass as `new Ollama({ host: url })`. */
  url: string;
  /** 127.0.0.1:<port> — the OLLAMA_HOST form. */
  host: string;
  requests: RecordedRequest[];
  chatRequests(): ChatRequestBody[];
  close(): Promise<void>;
  /** Script entries consumed so far (requests answered after exhaustion are not counted). */
  readonly turnsServed: number;
}

const DEFAULT_MODEL = "qwen2.5-coder:7b";
const OLLAMA_VERSION = "0.12.6";
const JSON_TYPE = "application/json; charset=utf-8";
const MODIFIED_AT = "2025-01-01T00:00:00.000000000Z";
const MODEL_DETAILS = {
  parent_model: "",
  format: "gguf",
  family: "qwen2",
  families: ["qwen2"],
  parameter_size: "7.6B",
  quantization_level: "Q4_K_M",
};
const TEMPLATE =
  "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}" +
  "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n";

/** Ollama resolves a bare name to its :latest tag. */
function canonicalModel(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": JSON_TYPE });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function unwrapDelays(turn: ScriptedTurn): { delayMs: number; turn: ScriptedReply | ScriptedError | ScriptedRaw } {
  let delayMs = 0;
  let current = turn;
  while ("delayMs" in current) {
    delayMs += current.delayMs;
    current = current.turn;
  }
  return { delayMs, turn: current };
}

function toolCallsOf(reply: ScriptedReply): unknown[] {
  return (reply.toolCalls ?? []).map((call, index) => ({
    id: `call_${randomBytes(4).toString("hex")}`,
    function: { index, name: call.name, arguments: call.arguments },
  }));
}

function messageChars(message: unknown): number {
  if (!isRecord(message)) return 0;
  const text = (key: string) => (typeof message[key] === "string" ? message[key].length : 0);
  const calls = message.tool_calls === undefined ? 0 : JSON.stringify(message.tool_calls).length;
  return text("content") + text("thinking") + calls;
}

interface Counters {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

function countersFor(messages: unknown[], replyChars: number, delayMs: number): Counters {
  const promptEvalCount = Math.round(messages.reduce<number>((sum, m) => sum + messageChars(m), 0) / 4);
  const evalCount = Math.max(1, Math.round(replyChars / 4));
  const loadDuration = 15_000_000;
  const promptEvalDuration = promptEvalCount * 200_000;
  const evalDuration = evalCount * 20_000_000;
  return {
    total_duration: loadDuration + promptEvalDuration + evalDuration + delayMs * 1_000_000,
    load_duration: loadDuration,
    prompt_eval_count: promptEvalCount,
    prompt_eval_duration: promptEvalDuration,
    eval_count: evalCount,
    eval_duration: evalDuration,
  };
}

interface AssistantMessage {
  role: "assistant";
  content: string;
  thinking?: string;
  tool_calls?: unknown[];
}

function assistantMessage(reply: ScriptedReply, includeThinking: boolean): AssistantMessage {
  const message: AssistantMessage = { role: "assistant", content: reply.content ?? "" };
  if (includeThinking && reply.thinking) message.thinking = reply.thinking;
  if (reply.toolCalls?.length) message.tool_calls = toolCallsOf(reply);
  return message;
}

function words(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Same order Ollama streams in: thinking, then content, then the parsed tool calls. */
function streamPieces(message: AssistantMessage): AssistantMessage[] {
  const thinking = words(message.thinking ?? "").map((w) => ({ role: "assistant" as const, content: "", thinking: w }));
  const content = words(message.content).map((w) => ({ role: "assistant" as const, content: w }));
  const calls = message.tool_calls ? [{ role: "assistant" as const, content: "", tool_calls: message.tool_calls }] : [];
  return [...thinking, ...content, ...calls];
}

function writeLine(res: ServerResponse, value: unknown): void {
  res.write(`${JSON.stringify(value)}\n`);
}

function sendStream(res: ServerResponse, model: string, message: AssistantMessage, counters: Counters, doneReason: string): void {
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  for (const piece of streamPieces(message)) {
    writeLine(res, { model, created_at: new Date().toISOString(), message: piece, done: false });
  }
  writeLine(res, {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: doneReason,
    ...counters,
  });
  res.end();
}

function sendRaw(res: ServerResponse, raw: ScriptedRaw["raw"]): void {
  const status = raw.status ?? 200;
  // Gin answers errors with a JSON body and streams with NDJSON.
  res.writeHead(status, { "Content-Type": status >= 400 ? JSON_TYPE : "application/x-ndjson" });
  for (const line of raw.lines) res.write(typeof line === "string" ? `${line}\n` : `${JSON.stringify(line)}\n`);
  if (!raw.hang) res.end();
}

class ScriptState {
  private next = 0;
  readonly requests: RecordedRequest[] = [];
  private readonly known: Set<string>;

  constructor(
    private readonly script: ScriptedTurn[],
    models: string[],
    readonly show?: Record<string, unknown>,
  ) {
    this.known = new Set(models.map(canonicalModel));
  }

  knows(model: string): boolean {
    return this.known.has(canonicalModel(model));
  }

  get models(): string[] {
    return [...this.known];
  }

  get served(): number {
    return this.next;
  }

  /** Past the end of the script the model "says nothing", which a bot must cope with. */
  take(): ScriptedTurn {
    const turn = this.script[this.next];
    if (turn === undefined) return { content: "" };
    this.next += 1;
    return turn;
  }
}

async function handleChat(state: ScriptState, body: unknown, res: ServerResponse): Promise<void> {
  const request = isRecord(body) ? body : {};
  const model = typeof request.model === "string" ? request.model : "";
  if (model === "") return sendJson(res, 400, { error: "model is required" });
  if (!state.knows(model)) {
    return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
  }
  const messages = Array.isArray(request.messages) ? (request.messages as unknown[]) : [];
  // Ollama answers an empty conversation by just loading the model.
  if (messages.length === 0) {
    return sendJson(res, 200, {
      model,
      created_at: new Date().toISOString(),
      message: { role: "assistant", content: "" },
      done_reason: "load",
      done: true,
    });
  }
  const { delayMs, turn } = unwrapDelays(state.take());
  if (delayMs > 0) await sleep(delayMs);
  if (res.destroyed) return;
  if ("error" in turn) return sendJson(res, turn.error.status, { error: turn.error.message });
  if ("raw" in turn) return sendRaw(res, turn.raw);
  const message = assistantMessage(turn, request.think !== false);
  const counters = countersFor(messages, messageChars(message), delayMs);
  const doneReason = turn.doneReason ?? "stop";
  // Ollama streams unless the request explicitly says stream:false.
  if (request.stream !== false) return sendStream(res, model, message, counters, doneReason);
  sendJson(res, 200, {
    model,
    created_at: new Date().toISOString(),
    message,
    done_reason: doneReason,
    done: true,
    ...counters,
  });
}

function digestOf(model: string): string {
  return createHash("sha256").update(model).digest("hex");
}

function handleTags(state: ScriptState, res: ServerResponse): void {
  const models = state.models.map((name) => ({
    name,
    model: name,
    modified_at: MODIFIED_AT,
    size: 4_683_087_332,
    digest: digestOf(name),
    details: MODEL_DETAILS,
  }));
  sendJson(res, 200, { models });
}

function handleShow(state: ScriptState, body: unknown, res: ServerResponse): void {
  const request = isRecord(body) ? body : {};
  const raw = request.model ?? request.name;
  const model = typeof raw === "string" ? raw : "";
  if (!state.knows(model)) return sendJson(res, 404, { error: `model '${model}' not found` });
  if (state.show) return sendJson(res, 200, state.show);
  sendJson(res, 200, {
    license: "Apache License 2.0",
    modelfile: `FROM ${model}\nTEMPLATE """${TEMPLATE}"""\n`,
    parameters: 'stop "<|im_start|>"\nstop "<|im_end|>"',
    template: TEMPLATE,
    details: MODEL_DETAILS,
    model_info: {
      "general.architecture": "qwen2",
      "general.parameter_count": 7_615_616_512,
      "qwen2.context_length": 32768,
    },
    capabilities: ["completion", "tools"],
    modified_at: MODIFIED_AT,
  });
}

async function route(state: ScriptState, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const key = `${req.method ?? "GET"} ${new URL(req.url ?? "/", "http://127.0.0.1").pathname}`;
  switch (key) {
    case "GET /":
    case "HEAD /":
      return sendText(res, 200, "Ollama is running");
    case "GET /api/version":
      return sendJson(res, 200, { version: OLLAMA_VERSION });
    case "GET /api/tags":
      return handleTags(state, res);
    case "POST /api/show":
      return handleShow(state, body, res);
    case "POST /api/chat":
      return handleChat(state, body, res);
    default:
      // Matches gin's default not-found answer.
      return sendText(res, 404, "404 page not found");
  }
}

async function handleRequest(
  state: ScriptState,
  onRequest: ((request: RecordedRequest) => void) | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const parsed = parseJsonBody(await readBody(req));
  const recorded: RecordedRequest = {
    method: req.method ?? "GET",
    path: new URL(req.url ?? "/", "http://127.0.0.1").pathname,
    body: parsed.ok ? parsed.value : null,
  };
  state.requests.push(recorded);
  onRequest?.(recorded);
  if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
  await route(state, req, res, parsed.value);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startScriptedOllama(options: ScriptedOllamaOptions): Promise<ScriptedOllama> {
  const model = options.model ?? DEFAULT_MODEL;
  const state = new ScriptState(options.script, options.models ?? [model], options.show);
  const server = createServer((req, res) => {
    handleRequest(state, options.onRequest, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  const port = await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: state.requests,
    chatRequests: () => state.requests.filter((r) => r.path === "/api/chat" && isRecord(r.body)).map((r) => r.body as ChatRequestBody),
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

function assertTurn(value: unknown, where: string): asserts value is ScriptedTurn {
  if (!isRecord(value)) throw new Error(`${where}: a turn must be an object`);
  if ("delayMs" in value) {
    if (typeof value.delayMs !== "number") throw new Error(`${where}: delayMs must be a number`);
    return assertTurn(value.turn, `${where}.turn`);
  }
  if ("error" in value) {
    const error = value.error;
    if (!isRecord(error) || typeof error.status !== "number" || typeof error.message !== "string") {
      throw new Error(`${where}: error needs a numeric status and a string message`);
    }
    return;
  }
  if ("raw" in value) {
    if (!isRecord(value.raw) || !Array.isArray(value.raw.lines)) throw new Error(`${where}: raw needs an array of lines`);
    return;
  }
  assertReply(value, where);
}

function assertReply(value: Record<string, unknown>, where: string): void {
  for (const key of ["content", "thinking", "doneReason"]) {
    if (value[key] !== undefined && typeof value[key] !== "string") throw new Error(`${where}: ${key} must be a string`);
  }
  const calls = value.toolCalls;
  if (calls === undefined) return;
  if (!Array.isArray(calls)) throw new Error(`${where}: toolCalls must be an array`);
  calls.forEach((call: unknown, i) => {
    if (!isRecord(call) || typeof call.name !== "string" || !isRecord(call.arguments)) {
      throw new Error(`${where}.toolCalls[${i}]: needs a string name and an arguments object`);
    }
  });
}

/** Reads a script file: either a JSON array of turns or `{ "script": [...] }`. */
export function loadScript(path: string): ScriptedTurn[] {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  const turns = isRecord(parsed) ? parsed.script : parsed;
  if (!Array.isArray(turns)) throw new Error(`${path}: expected an array of turns or { "script": [...] }`);
  turns.forEach((turn: unknown, i) => assertTurn(turn, `${path}[${i}]`));
  return turns as ScriptedTurn[];
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      script: { type: "string" },
      port: { type: "string", default: "0" },
      model: { type: "string" },
      models: { type: "string" },
      log: { type: "string" },
    },
  });
  if (!values.script) throw new Error("usage: scripted-ollama --script <file.json> [--port n] [--model name] [--models a,b] [--log file]");
  const log = values.log;
  const server = await startScriptedOllama({
    script: loadScript(values.script),
    model: values.model,
    models: values.models?.split(",").filter((m) => m !== ""),
    port: Number.parseInt(values.port, 10),
    onRequest: log ? (request) => appendFileSync(log, `${JSON.stringify(request)}\n`) : undefined,
  });
  process.stdout.write(`listening ${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
