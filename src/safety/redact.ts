/**
 * Removes secrets from text before it is posted or logged. Known secrets (the installation token,
 * the webhook secret) are replaced wherever they appear; well-known credential shapes are caught
 * even when the bot never saw the secret itself.
 */
const credentialShapes: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
  /\bv1\.[0-9a-f]{40}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g,
  /(?<=(?:authorization|x-access-token)[:=]\s*(?:basic|bearer|token)?\s*)[A-Za-z0-9+/=._-]{16,}/gi,
];

export const REDACTED = "[REDACTED]";

export class Redactor {
  readonly #literals = new Set<string>();

  constructor(secrets: Iterable<string | null | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Registers a secret value; short values are ignored because they would mangle ordinary text. */
  add(secret: string | null | undefined): void {
    if (!secret || secret.length < 8) return;
    this.#literals.add(secret);
    // git and HTTP clients show tokens base64-encoded inside Basic credentials.
    this.#literals.add(Buffer.from(`x-access-token:${secret}`).toString("base64"));
  }

  redact(text: string): string {
    let out = text;
    for (const literal of this.#literals) out = out.split(literal).join(REDACTED);
    for (const shape of credentialShapes) out = out.replace(shape, REDACTED);
    return out;
  }
}
