const transientCodes = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

/** Failures worth another attempt: the forge's 5xx and rate limits, and connections that broke or never opened. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (typeof status === "number" && status > 0) return status >= 500 || status === 429;
  // The code sits on the error or somewhere down its causes (fetch wraps it in a TypeError).
  for (let cause: unknown = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && transientCodes.has(code)) return true;
  }
  return false;
}
