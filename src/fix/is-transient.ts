/** Failures worth another attempt: the forge's 5xx and rate limits, and connections that broke. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (typeof status === "number") return status >= 500 || status === 429;
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code !== undefined && ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET"].includes(code);
}
