import { LlmError } from "../../llm/llm-error.js";
import { ollamaError, type OllamaCallContext } from "../../llm/ollama-errors.js";

/**
 * Ollama's words for the failures that belong to embedding: a chat model asked to embed (the
 * runner's `this model does not support embeddings`, the capability check's `does not support
 * embed…`), and a server older than `/api/embed` (0.3.4), whose router answers a bare
 * `404 page not found` that would otherwise read as a missing model.
 */
const NOT_AN_EMBEDDING_MODEL = /does not support embed/i;
const NO_EMBED_ROUTE = /^404 page not found$/i;

/** Like `ollamaError`, with hints about the embedding model rather than the chat model. */
export function ollamaEmbedError(error: unknown, call: OllamaCallContext): LlmError {
  const message = error instanceof Error ? error.message : String(error);
  if (!call.aborted && NOT_AN_EMBEDDING_MODEL.test(message)) {
    return new LlmError("bad-response", `the model "${call.model}" on ${call.host} does not make embeddings: ${message}`, {
      hint: "choose an embedding model for the index, e.g. `ollama pull nomic-embed-text`",
      cause: error,
    });
  }
  if (!call.aborted && NO_EMBED_ROUTE.test(message.trim())) {
    return new LlmError("bad-response", `Ollama at ${call.host} has no /api/embed`, {
      hint: "upgrade Ollama to 0.3.4 or later",
      cause: error,
    });
  }
  const classified = ollamaError(error, call);
  if (classified.reason === "model-not-found") {
    return new LlmError("model-not-found", `Ollama at ${call.host} does not have the embedding model "${call.model}"`, {
      hint: `run \`ollama pull ${call.model}\` on the Ollama host, or choose an embedding model it has`,
      cause: error,
    });
  }
  return classified;
}
