/**
 * A `fetch` for the `openai` SDK that rewrites error bodies into OpenAI's `{"error": {"message"}}`
 * shape. The SDK reads the message only from an `error` field, and two common servers do not send
 * one: vLLM before its error format changed answers `{"object": "error", "message": …, "type":
 * "BadRequestError", "code": 400}` (vllm#3485), and Ollama-style servers answer `{"error": "…"}`.
 * Without this, "This model's maximum context length is …" becomes "400 status code (no body)".
 */
export function fetchWithOpenAIErrorBodies(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok || !(response.headers.get("content-type") ?? "").includes("json")) return response;
    const text = await response.text();
    return new Response(normalizedErrorBody(text), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function normalizedErrorBody(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return text;
  const record = body as Record<string, unknown>;
  if (typeof record.error === "string") return JSON.stringify({ error: { message: record.error } });
  if (record.error === undefined && typeof record.message === "string") return JSON.stringify({ error: record });
  return text;
}
