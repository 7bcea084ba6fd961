import { GiteaApiError } from "./gitea-api-error.js";

export interface GiteaClientOptions {
  /** The server, `https://gitea.example.com` (the API is under `/api/v1`). */
  readonly baseUrl: string;
  /** The bot account's access token. */
  readonly token: string;
  readonly timeoutMs?: number;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Gitea's REST API as the adapter uses it: typed JSON in and out, the token in the Authorization
 * header, path segments encoded, and every failure a {@link GiteaApiError}. Each method names its
 * path the way Gitea's API description does (`/repos/{owner}/{repo}/…`), the tests check them there.
 */
export class GiteaClient {
  readonly #base: string;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(options: GiteaClientOptions) {
    this.#base = `${options.baseUrl.replace(/\/+$/, "")}/api/v1`;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** A JSON answer, typed by the caller after the API description. */
  async json<T>(method: string, path: string, options: { readonly query?: Query; readonly body?: unknown } = {}): Promise<T> {
    const response = await this.#send(method, path, { ...options, accept: "application/json" });
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  /** A text answer (a raw file, a diff). */
  async text(method: string, path: string, options: { readonly query?: Query } = {}): Promise<string> {
    const response = await this.#send(method, path, { ...options, accept: "text/plain" });
    return response.text();
  }

  /** Like `json`, but null where Gitea answers 404. */
  async maybe<T>(method: string, path: string, options: { readonly query?: Query; readonly body?: unknown } = {}): Promise<T | null> {
    try {
      return await this.json<T>(method, path, options);
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 404) return null;
      throw error;
    }
  }

  async #send(
    method: string,
    path: string,
    options: { readonly query?: Query; readonly body?: unknown; readonly accept: string },
  ): Promise<Response> {
    const url = new URL(`${this.#base}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const operation = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `token ${this.#token}`,
          accept: options.accept,
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new GiteaApiError({ status: 0, operation, detail: (error as Error).message, cause: error });
    }
    if (!response.ok) throw new GiteaApiError({ status: response.status, operation, detail: messageOf(await response.text()) });
    return response;
  }
}

/** Gitea answers errors as `{"message": …}` (sometimes with `errors`); anything else is quoted as is. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.filter((e): e is string => typeof e === "string") : [];
    if (typeof body.message === "string") return [body.message, ...errors].filter(Boolean).join("; ");
  } catch {
    // not JSON: fall through
  }
  return text.trim().slice(0, 300);
}

/** One path segment, encoded: an owner, a repository, a number. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

/** A file path or a branch name: each part encoded, the slashes kept (Gitea's router reads them as part of the name). */
export function slashed(value: string): string {
  return value.split("/").map(encodeURIComponent).join("/");
}
