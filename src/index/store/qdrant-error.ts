import { IndexStoreError } from "./index-store-error.js";

/** The status and Qdrant's own message from whatever the client threw. */
export function qdrantFailure(error: unknown): { status: number | undefined; message: string } {
  const { status, data } = error as { status?: unknown; data?: unknown };
  const detail = (data as { status?: { error?: unknown } } | undefined)?.status?.error;
  const message = typeof detail === "string" ? detail : error instanceof Error ? error.message : String(error);
  return { status: typeof status === "number" ? status : undefined, message };
}

/** Turns a failed client call into an `IndexStoreError` whose hint says what to do. */
export function qdrantError(error: unknown, url: string, what: string): IndexStoreError {
  if (error instanceof IndexStoreError) return error;
  const { status, message } = qdrantFailure(error);
  if (status === undefined && error instanceof TypeError) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return new IndexStoreError(
      "unreachable",
      `cannot reach Qdrant at ${url} to ${what}: ${typeof cause?.code === "string" ? cause.code : message}`,
      {
        hint: "start Qdrant or point QDRANT_URL at it",
        cause: error,
      },
    );
  }
  const hint =
    status === 401 || status === 403
      ? "check the Qdrant API key"
      : status !== undefined && status >= 500
        ? "check the Qdrant server's log"
        : "check the Qdrant server's log; the client (1.18) expects a server within one minor version of it";
  return new IndexStoreError("backend", `Qdrant refused to ${what}${status === undefined ? "" : ` (${status})`}: ${message}`, {
    hint,
    cause: error,
  });
}
