/**
 * The part of GitHub's GraphQL API the bot uses: a pull request's review threads and whether each
 * is resolved (REST cannot tell). Anything else is answered as GitHub answers a field it does not
 * know, and reported as unimplemented, so a new query never passes unnoticed.
 */
export interface GraphqlThreadSource {
  /** First comments of the pull request's threads, oldest first; "no-repo" or "no-pull" when there is no such thing. */
  threadsOf(owner: string, name: string, number: number): Array<{ rootId: number; url: string; resolved: boolean }> | "no-repo" | "no-pull";
}

export interface GraphqlAnswer {
  readonly status: number;
  readonly json: unknown;
  /** Set when the query asked for something the fake does not serve. */
  readonly unimplemented?: string;
  /** Set when the request broke GraphQL's own rules (variables of the wrong type, no query). */
  readonly violation?: string;
}

const PAGE_LIMIT = 100;

export function answerGraphql(body: unknown, source: GraphqlThreadSource): GraphqlAnswer {
  const request = body as { query?: unknown; variables?: Record<string, unknown> } | undefined;
  if (typeof request?.query !== "string") return { status: 400, json: { message: "Problems parsing JSON" }, violation: "no query string" };
  const query = request.query;
  const variables = request.variables ?? {};
  if (!/\breviewThreads\s*\(/.test(query) || !/\bisResolved\b/.test(query)) {
    return {
      status: 200,
      json: { errors: [{ message: "The fake answers only pullRequest.reviewThreads", type: "UNIMPLEMENTED" }] },
      unimplemented: `graphql: ${query.replace(/\s+/g, " ").slice(0, 120)}`,
    };
  }
  const { owner, name, number, cursor } = variables as { owner?: unknown; name?: unknown; number?: unknown; cursor?: unknown };
  if (
    typeof owner !== "string" ||
    typeof name !== "string" ||
    !Number.isInteger(number) ||
    (cursor !== undefined && cursor !== null && typeof cursor !== "string")
  ) {
    return {
      status: 200,
      json: { errors: [{ message: "Variable types do not match the query" }] },
      violation: `graphql: bad variables ${JSON.stringify(variables)}`,
    };
  }
  const first = Number(/reviewThreads\s*\(\s*first:\s*(\d+)/.exec(query)?.[1] ?? NaN);
  if (!(first >= 1 && first <= PAGE_LIMIT))
    return {
      status: 200,
      json: { errors: [{ message: "Requesting more than 100 records on the connection is not allowed" }] },
      violation: `graphql: first=${first}`,
    };
  const pullNumber = number as number;
  const threads = source.threadsOf(owner, name, pullNumber);
  // GitHub answers 200 with the missing object null and an error naming it.
  if (threads === "no-repo")
    return {
      status: 200,
      json: {
        data: { repository: null },
        errors: [
          { type: "NOT_FOUND", path: ["repository"], message: `Could not resolve to a Repository with the name '${owner}/${name}'.` },
        ],
      },
    };
  if (threads === "no-pull")
    return {
      status: 200,
      json: {
        data: { repository: { pullRequest: null } },
        errors: [
          {
            type: "NOT_FOUND",
            path: ["repository", "pullRequest"],
            message: `Could not resolve to a PullRequest with the number of ${pullNumber}.`,
          },
        ],
      },
    };
  const start =
    typeof cursor === "string"
      ? Number(
          Buffer.from(cursor, "base64")
            .toString("utf8")
            .replace(/^cursor:/, ""),
        )
      : 0;
  const page = threads.slice(start, start + first);
  const end = start + page.length;
  return {
    status: 200,
    json: {
      data: {
        repository: {
          pullRequest: {
            reviewThreads: {
              pageInfo: {
                hasNextPage: end < threads.length,
                endCursor: page.length > 0 ? Buffer.from(`cursor:${end}`).toString("base64") : null,
              },
              nodes: page.map((thread) => ({ isResolved: thread.resolved, comments: { nodes: [{ url: thread.url }] } })),
            },
          },
        },
      },
    },
  };
}
