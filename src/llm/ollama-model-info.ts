/** What `/api/show` tells about a model, read defensively: its shape changed across Ollama releases. */
export interface OllamaShowFacts {
  /** The context the model was trained for (`model_info["<arch>.context_length"]`), when reported. */
  readonly contextLength?: number;
  /** Whether Ollama will accept `tools` for this model. */
  readonly nativeTools: boolean;
}

/**
 * Reads an `/api/show` body. Ollama 0.6.4 and later list `capabilities`; older servers decide tool
 * support by whether the model's template uses `.Tools`, so that is the fallback. `model_info`
 * appeared in 0.3; before it the context length is simply unknown.
 *
 * @example
 * readShowResponse({ model_info: { "general.architecture": "qwen2", "qwen2.context_length": 32768 }, capabilities: ["completion", "tools"] })
 * // → { contextLength: 32768, nativeTools: true }
 */
export function readShowResponse(body: unknown): OllamaShowFacts {
  const show = isRecord(body) ? body : {};
  const contextLength = contextLengthOf(show.model_info);
  return { ...(contextLength === undefined ? {} : { contextLength }), nativeTools: supportsTools(show) };
}

function supportsTools(show: Record<string, unknown>): boolean {
  if (Array.isArray(show.capabilities)) return show.capabilities.includes("tools");
  return typeof show.template === "string" && show.template.includes(".Tools");
}

function contextLengthOf(modelInfo: unknown): number | undefined {
  if (!isRecord(modelInfo)) return undefined;
  const arch = modelInfo["general.architecture"];
  if (typeof arch === "string") {
    const value = modelInfo[`${arch}.context_length`];
    if (isPositiveInteger(value)) return value;
  }
  // A renamed or missing architecture key still leaves exactly one "<something>.context_length".
  const candidates = Object.entries(modelInfo).filter(([key, value]) => key.endsWith(".context_length") && isPositiveInteger(value));
  return candidates.length === 1 ? (candidates[0]?.[1] as number) : undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
