import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { LlmError } from "./llm-error.js";

export interface OpenAICallContext {
  readonly baseURL: string;
  readonly model: string;
  /** The caller cancelled the call. */
  readonly aborted: boolean;
  /** The idle watchdog gave up after this many milliseconds of silence; undefined if it did not. */
  readonly silentForMs?: number;
}

/**
 * How servers word a request that does not fit. vLLM: "This model's maximum context length is N
 * tokens. However, you requested M tokens …" (vllm#20409); llama.cpp server: "the request exceeds
 * the available context size, try increasing it" with type `exceed_context_size_error`; OpenAI:
 * code `context_length_exceeded`; LM Studio: "… greater than the context length".
 */
const CONTEXT_OVERFLOW =
  /maximum context length|exceeds the available context size|exceed_context_size|context_length_exceeded|greater than the context length|context window/i;
/**
 * How servers refuse tools. llama.cpp without `--jinja`: "tools param requires --jinja flag"
 * (a 500); vLLM without a parser: "\"auto\" tool choice requires --enable-auto-tool-choice and
 * --tool-call-parser to be set"; Ollama's endpoint: "… does not support tools"; older llama.cpp:
 * "Cannot use tools with stream".
 */
const TOOLS_REFUSED =
  /tools? param requires --jinja|--enable-auto-tool-choice|does not support tools|tools? (?:are |is )?not supported|cannot use tools|unsupported param: tool/i;

/** Turns what the `openai` SDK threw into an `LlmError` whose hint says what to do. */
export function openAIError(error: unknown, call: OpenAICallContext): LlmError {
  const { baseURL } = call;
  if (call.aborted)
    return new LlmError("aborted", "the model call was aborted", { hint: "the run was cancelled; nothing needs fixing", cause: error });
  if (call.silentForMs !== undefined || error instanceof APIConnectionTimeoutError) {
    const waited = call.silentForMs === undefined ? "" : ` for ${call.silentForMs} ms`;
    return new LlmError("timeout", `the server at ${baseURL} sent nothing${waited}`, {
      hint: "the server may be overloaded or still loading the model; check its log, or raise the provider's timeoutMs",
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof APIUserAbortError)
    return new LlmError("aborted", "the model call was aborted", { hint: "the run was cancelled; nothing needs fixing", cause: error });
  if (error instanceof APIConnectionError) {
    return new LlmError("unreachable", `cannot reach the OpenAI-compatible server at ${baseURL}: ${causeOf(error)}`, {
      hint: `start the server, or fix the provider's baseURL (now ${baseURL}; it usually ends in /v1)`,
      retryable: true,
      cause: error,
    });
  }
  if (isAPIError(error)) return fromStatus(error, call);
  if (error instanceof SyntaxError) {
    return new LlmError("bad-response", `the server at ${baseURL} sent a stream that is not JSON: ${error.message}`, {
      hint: "check that baseURL points at an OpenAI-compatible endpoint and not at a proxy's error page",
      cause: error,
    });
  }
  // undici's "terminated": the connection dropped in the middle of the stream.
  return new LlmError("unreachable", `the connection to ${baseURL} broke off: ${causeOf(error)}`, {
    hint: "check the server's log: it may have crashed or restarted in the middle of the reply",
    retryable: true,
    cause: error,
  });
}

/** `instanceof` alone narrows to `APIError<any, any, any>`; the guard keeps the declared field types. */
function isAPIError(error: unknown): error is APIError {
  return error instanceof APIError;
}

function fromStatus(error: APIError, { baseURL, model }: OpenAICallContext): LlmError {
  const status = error.status;
  const detail = messageOf(error);
  const type = typeof error.type === "string" ? error.type : "";
  const code = typeof error.code === "string" ? error.code : "";
  const said = status === undefined ? detail : `${status}: ${detail}`;
  if (TOOLS_REFUSED.test(detail)) {
    return new LlmError("tools-unsupported", `the server at ${baseURL} refuses native tool calls: ${detail}`, {
      hint: "tools are described in the prompt instead; for native tool calls start llama-server with --jinja or vLLM with --enable-auto-tool-choice --tool-call-parser …",
      cause: error,
    });
  }
  if (CONTEXT_OVERFLOW.test(`${detail} ${type} ${code}`)) {
    return new LlmError("context-overflow", `the conversation no longer fits the model's context: ${detail}`, {
      hint: "start the server with a larger window (vLLM --max-model-len, llama-server -c) or lower the step budget",
      cause: error,
    });
  }
  if (status === 404) {
    return new LlmError("model-not-found", `the server at ${baseURL} does not serve the model "${model}": ${detail}`, {
      hint: `set the model to one that GET ${baseURL}/models lists, or load "${model}" on the server`,
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    return new LlmError("bad-response", `the server at ${baseURL} refused the credentials (${said})`, {
      hint: "set the provider's apiKey to a key the server accepts (vLLM --api-key, llama-server --api-key, the gateway's key)",
      cause: error,
    });
  }
  if (status === 429) {
    return new LlmError("server-error", `the server at ${baseURL} is rate limiting (${said})`, {
      hint: "wait, or lower the number of concurrent jobs",
      retryable: true,
      cause: error,
    });
  }
  if (status === undefined || status >= 500) {
    return new LlmError("server-error", `the server at ${baseURL} failed (${said})`, {
      hint: "check the server's log",
      retryable: true,
      cause: error,
    });
  }
  return new LlmError("bad-response", `the server at ${baseURL} refused the request (${said})`, {
    hint: "check the model name and the server's options; the message above is the server's own",
    cause: error,
  });
}

/** The server's own sentence, without the SDK's "400 " prefix. */
function messageOf(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string")
    return (body as { message: string }).message;
  return error.message.replace(/^\d{3} /, "");
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; cause?: { code?: unknown }; message?: unknown } }).cause;
  const code = cause?.code ?? cause?.cause?.code;
  if (typeof code === "string") return code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
