/**
 * Reading `GET /models` of OpenAI-compatible servers. The list itself is standard; the context
 * window is not, and each server reports it its own way:
 * - vLLM: `max_model_len` on each entry (the window it serves, `--max-model-len`);
 * - llama.cpp server: `meta.n_ctx` (the slot's window, newer builds) or `meta.n_ctx_train` (what
 *   the model was trained for; the server's `-c` may be smaller);
 * - LM Studio: nothing in `/v1/models`, `max_context_length` in its own `/api/v0/models/{id}`.
 */
export interface ModelEntry {
  readonly id: string;
  readonly [key: string]: unknown;
}

/** The entries of a `/models` body, skipping anything without an id. */
export function modelEntries(body: unknown): ModelEntry[] {
  const data = isRecord(body) && Array.isArray(body.data) ? body.data : Array.isArray(body) ? body : [];
  return data.filter((entry): entry is ModelEntry => isRecord(entry) && typeof entry.id === "string");
}

/**
 * The entry that serves `model`. llama.cpp's single-model server answers to any model name and
 * lists its file path as the id, so a lone llama.cpp entry matches whatever was configured.
 */
export function findModelEntry(entries: readonly ModelEntry[], model: string): ModelEntry | undefined {
  const exact = entries.find((entry) => entry.id === model || (Array.isArray(entry.aliases) && entry.aliases.includes(model)));
  if (exact) return exact;
  const [only] = entries;
  return entries.length === 1 && only?.owned_by === "llamacpp" ? only : undefined;
}

/** The context window an entry reports, from whichever field its server uses. */
export function contextSizeOfEntry(entry: unknown): number | undefined {
  if (!isRecord(entry)) return undefined;
  const meta = isRecord(entry.meta) ? entry.meta : {};
  for (const value of [entry.max_model_len, meta.n_ctx, meta.n_ctx_train, entry.max_context_length, entry.context_length]) {
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
