export type GiteaApiErrorReason = "unauthorized" | "forbidden" | "not-found" | "conflict" | "invalid" | "server" | "unreachable";

/**
 * A Gitea API request that failed: the operation, the status (0 when the server could not be
 * reached) and Gitea's own message. `status` is what the queue's retry rule reads: a 5xx or a
 * broken connection is worth another attempt, a 4xx is not.
 */
export class GiteaApiError extends Error {
  readonly reason: GiteaApiErrorReason;
  readonly status: number;
  /** `GET /repos/acme/widgets/pulls/3`. */
  readonly operation: string;
  /** Gitea's `message`, or the body's text. */
  readonly detail: string;

  constructor(fields: { status: number; operation: string; detail: string; cause?: unknown }) {
    super(
      `Gitea answered ${fields.status === 0 ? "nothing" : fields.status} to ${fields.operation}${fields.detail ? `: ${fields.detail}` : ""}`,
      { cause: fields.cause },
    );
    this.name = "GiteaApiError";
    this.status = fields.status;
    this.operation = fields.operation;
    this.detail = fields.detail;
    this.reason = reasonOf(fields.status);
  }
}

function reasonOf(status: number): GiteaApiErrorReason {
  if (status === 0) return "unreachable";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status >= 500) return "server";
  return "invalid";
}
