const transientCodes = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

/** Failures worth another attempt: the forge's 5xx and rate limits, and connections that broke or never opened. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (typeof status === "number" && status > 0) return status >= 500 || status === 429;
  // The code sits on the error or somewhere down its causes (fetch wraps it in a TypeError); a
  // request that timed out, or a forge that could not be reached at all, is worth another try too.
  for (let cause: unknown = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { code, name, reason } = cause as { code?: unknown; name?: unknown; reason?: unknown };
    if (typeof code === "string" && transientCodes.has(code)) return true;
    if (name === "TimeoutError" || reason === "unreachable") return true;
  }
  return false;
}
