import { LlmError } from "./llm-error.js";

export interface OllamaCallContext {
  readonly host: string;
  readonly model: string;
  /** The caller cancelled the call. */
  readonly aborted: boolean;
  /** The idle watchdog gave up after this many milliseconds of silence; undefined if it did not. */
  readonly silentForMs?: number;
}

/**
 * Ollama's own words for the failures the loop treats differently. Sources: `server/routes.go`
 * (`model %q not found, try pulling it first`, `model '%s' not found`), `server/sched.go`
 * (`server busy, please try again.  maximum pending requests exceeded`), the runner's
 * `errorInputTooLong` (`the input length exceeds the context length`) and the capability check
 * (`registry.ollama.ai/library/<model> does not support tools`, ollama/ollama#11131, #14795).
 */
const NOT_FOUND = /not found, try pulling it first|^model ['"].*['"] not found/i;
const TOOLS_UNSUPPORTED = /does not support tools/i;
const CONTEXT_OVERFLOW =
  /input length exceeds the context length|exceeds (?:the )?(?:maximum )?context length|exceeds the available context size|context length exceeded|prompt is too long/i;

/** Turns whatever the `ollama` client threw into an `LlmError` whose hint says what to do. */
export function ollamaError(error: unknown, call: OllamaCallContext): LlmError {
  const { host, model } = call;
  if (call.aborted)
    return new LlmError("aborted", "the model call was aborted", { hint: "the run was cancelled; nothing needs fixing", cause: error });
  if (call.silentForMs !== undefined) {
    return new LlmError("timeout", `Ollama at ${host} sent nothing for ${call.silentForMs} ms`, {
      hint: "the model may still be loading or the host is overloaded; check `ollama ps` and the server log, or raise the provider's timeoutMs",
      retryable: true,
      cause: error,
    });
  }
  const status = (error as { status_code?: unknown }).status_code;
  const message = messageOf(error);
  if (TOOLS_UNSUPPORTED.test(message)) {
    return new LlmError("tools-unsupported", `the model "${model}" does not take native tool calls: ${message}`, {
      hint: "tools are described in the prompt instead; for native tool calls pick a model whose `ollama show` lists the tools capability",
      cause: error,
    });
  }
  if (CONTEXT_OVERFLOW.test(message)) {
    return new LlmError("context-overflow", `the conversation no longer fits the model's context: ${message}`, {
      hint: "raise the context size (CODER_CONTEXT_SIZE) if the model and memory allow it, or lower the step budget",
      cause: error,
    });
  }
  if (status === 404 || NOT_FOUND.test(message)) {
    return new LlmError("model-not-found", `Ollama at ${host} does not have the model "${model}"`, {
      hint: `run \`ollama pull ${model}\` on the Ollama host, or set CODER_MODEL to a model it has`,
      cause: error,
    });
  }
  if (typeof status === "number") {
    if (status === 429 || status >= 500) {
      return new LlmError("server-error", `Ollama answered ${status}: ${message}`, {
        hint: "check the Ollama server's log",
        retryable: true,
        cause: error,
      });
    }
    return new LlmError("bad-response", `Ollama refused the request (${status}): ${message}`, {
      hint: "check CODER_MODEL and the Ollama version (streamed tool calls need Ollama 0.8 or later)",
      cause: error,
    });
  }
  if (isConnectionFailure(error)) {
    return new LlmError("unreachable", `cannot reach Ollama at ${host}: ${describeCause(error)}`, {
      hint: "start Ollama (`ollama serve`) or point OLLAMA_HOST at it",
      retryable: true,
      cause: error,
    });
  }
  // An `{"error": …}` line in a stream that had already started, or a stream cut before `done`.
  return new LlmError("server-error", `Ollama stopped the reply: ${message}`, {
    hint: "check the Ollama server's log",
    retryable: true,
    cause: error,
  });
}

/** Ollama's `{"error": "…"}`; an OpenAI-style `{"error": {"message": …}}` body would otherwise read "[object Object]". */
function messageOf(error: unknown): string {
  const body = (error as { error?: unknown }).error;
  if (typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string")
    return (body as { message: string }).message;
  return error instanceof Error ? error.message : String(error);
}

/** `fetch` rejects with a TypeError for refused, reset and dropped connections alike. */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof TypeError;
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return `${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`;
  return error instanceof Error ? error.message : String(error);
}
