import { describe, expect, it } from "vitest";
import { findOperation, validateRequest, validateResponse } from "../support/fake-gitea/gitea-swagger.js";

const operationOf = (method: string, path: string) => findOperation(method, path).match?.operation.operationId;

describe("Gitea's description: finding operations", () => {
  it("prefers literal segments, then `{index}.{diffType}`, then parameters", () => {
    expect(operationOf("GET", "/repos/o/r/pulls/pinned")).toBe("repoListPinnedPullRequests");
    expect(operationOf("GET", "/repos/o/r/pulls/5")).toBe("repoGetPullRequest");
    expect(findOperation("GET", "/repos/o/r/pulls/5.diff").match?.params).toMatchObject({ index: "5", diffType: "diff" });
    expect(operationOf("GET", "/repos/o/r/pulls/5/files")).toBe("repoGetPullRequestFiles");
    expect(operationOf("GET", "/repos/o/r/pulls/5/reviews/3/comments")).toBe("repoGetPullReviewComments");
    expect(operationOf("GET", "/repos/o/r/issues/comments")).toBe("issueGetRepoComments");
  });

  it("lets trailing wildcard parameters span slashes, encoded or not", () => {
    expect(findOperation("GET", "/repos/o/r/raw/src/a b/c.ts").match?.params.filepath).toBe("src/a b/c.ts");
    expect(findOperation("GET", "/repos/o/r/raw/src%2Fa%20b%2Fc.ts").match?.params.filepath).toBe("src/a b/c.ts");
    expect(findOperation("GET", "/repos/o/r/branches/coder/fix-1").match?.params.branch).toBe("coder/fix-1");
    expect(findOperation("GET", "/repos/o/r/compare/main...coder/fix-1").match?.params.basehead).toBe("main...coder/fix-1");
  });
});

describe("Gitea's description: validating requests", () => {
  it("accepts a well-formed request", () => {
    const body = {
      event: "COMMENT",
      body: "b",
      commit_id: "a".repeat(40),
      comments: [{ path: "p", body: "c", new_position: 3, old_position: 0 }],
    };
    expect(validateRequest({ method: "POST", path: "/repos/o/r/pulls/1/reviews", body })).toEqual({
      operationId: "repoCreatePullReview",
      problems: [],
      template: "/repos/{owner}/{repo}/pulls/{index}/reviews",
      params: { owner: "o", repo: "r", index: "1" },
    });
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls?state=all&page=2&limit=50" }).problems).toEqual([]);
  });

  it("catches a wrong type in the path, the query and the body", () => {
    expect(validateRequest({ method: "GET", path: "/repos/o/r/issues/abc" }).problems).toEqual([
      'path parameter index="abc" must be an integer',
    ]);
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls", query: { limit: "ten" } }).problems).toEqual([
      'query parameter limit="ten" must be an integer',
    ]);
    const body = { comments: [{ path: "p", new_position: "3" }] };
    expect(validateRequest({ method: "POST", path: "/repos/o/r/pulls/1/reviews", body }).problems).toEqual([
      "body/comments/0/new_position must be integer",
    ]);
  });

  it("catches unknown body fields at any depth, which Gitea would drop silently", () => {
    expect(
      validateRequest({ method: "POST", path: "/repos/o/r/pulls", body: { title: "t", head: "h", base: "main", draft: true } }).problems,
    ).toEqual(["body property draft is not defined"]);
    const body = { event: "COMMENT", comments: [{ path: "p", body: "c", line: 3, side: "RIGHT" }] };
    expect(validateRequest({ method: "POST", path: "/repos/o/r/pulls/1/reviews", body }).problems).toEqual([
      "body/comments/0 property line is not defined",
      "body/comments/0 property side is not defined",
    ]);
  });

  it("catches a missing required field or body, enums, unknown query parameters and bodies where none belong", () => {
    expect(validateRequest({ method: "POST", path: "/repos/o/r/issues/1/comments", body: {} }).problems).toEqual([
      "body must have required property 'body'",
    ]);
    expect(validateRequest({ method: "POST", path: "/repos/o/r/pulls/1/reviews" }).problems).toEqual(["a request body is required"]);
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pulls?state=merged" }).problems).toEqual([
      'query parameter state="merged" must be one of closed, open, all',
    ]);
    expect(validateRequest({ method: "GET", path: "/repos/o/r?token=abc" }).problems).toEqual([
      "query parameter token is not defined for repoGet",
    ]);
    expect(validateRequest({ method: "GET", path: "/user", body: { login: "x" } }).problems).toEqual([
      "userGetCurrent takes no request body",
    ]);
    expect(validateRequest({ method: "POST", path: "/repos/o/r/issues/1/comments", body: "plain text" }).problems).toEqual([
      "the request body must be JSON",
    ]);
  });

  it("catches an unknown path or method", () => {
    expect(validateRequest({ method: "GET", path: "/repos/o/r/pull/1" })).toMatchObject({
      operationId: null,
      problems: ["no Gitea operation has the path /repos/o/r/pull/1"],
    });
    expect(validateRequest({ method: "PUT", path: "/user" }).problems).toEqual(["no PUT operation for /user (the path takes GET)"]);
  });
});

describe("Gitea's description: validating responses", () => {
  it("checks types and documented statuses, and lets Go's nulls and extra fields through", () => {
    expect(validateResponse({ method: "GET", path: "/user", status: 200, body: { login: "x", username: "x", email: null } })).toEqual([]);
    expect(
      validateResponse({
        method: "GET",
        path: "/repos/o/r/branches/b",
        status: 200,
        body: { commit: { added: null, verification: { signer: null } } },
      }),
    ).toEqual([]);
    expect(validateResponse({ method: "GET", path: "/user", status: 200, body: { id: "1" } })).toEqual(["response/id must be integer"]);
    expect(validateResponse({ method: "GET", path: "/user", status: 418, body: {} })).toEqual([
      "userGetCurrent does not document status 418",
    ]);
  });
});
