/** `error.not_found` in Gitea's locale: what `ctx.NotFound()` says when given no message. */
export const NOT_FOUND_MESSAGE = "The target couldn't be found.";

/**
 * Thrown by a handler to answer with Gitea's error shape instead of a 500. `ctx.Error` answers
 * `{message, url}`; `ctx.NotFound` adds `errors` (null when it was given none), which is why
 * `errors` is left undefined for the former.
 */
export class GiteaError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: string[] | null,
  ) {
    super(message);
  }
}

export function notFound(message = NOT_FOUND_MESSAGE, errors: string[] | null = null): GiteaError {
  return new GiteaError(404, message, errors);
}

export function forbidden(message: string): GiteaError {
  return new GiteaError(403, message);
}

export function unprocessable(message: string): GiteaError {
  return new GiteaError(422, message);
}

/** The JSON body of an error; `url` is where Gitea points at its API documentation. */
export function errorBody(swaggerUrl: string, error: GiteaError): Record<string, unknown> {
  return error.errors === undefined
    ? { message: error.message, url: swaggerUrl }
    : { errors: error.errors, message: error.message, url: swaggerUrl };
}
