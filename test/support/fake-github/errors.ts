export const DOCS_URL = "https://docs.github.com/rest";

/** Thrown by a handler to answer with GitHub's error shape instead of a 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === "string" ? body.message : String(status));
  }
}

export function notFound(message = "Not Found"): HttpError {
  return new HttpError(404, { message, documentation_url: DOCS_URL, status: "404" });
}

export function validationFailed(errors: Array<Record<string, unknown>>): HttpError {
  return new HttpError(422, { message: "Validation Failed", errors, documentation_url: DOCS_URL, status: "422" });
}
