import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliverGitea,
  giteaDeliveryHeaders,
  makeGiteaIssueCommentEvent,
  makeGiteaPullRequestEvent,
  makeGiteaPushEvent,
  readGiteaExample,
  readGiteaKitDeliveries,
  serializeGiteaPayload,
  signGiteaPayload,
  type GiteaExampleName,
} from "../support/gitea-webhooks.js";
import { readBody } from "../support/http-body.js";
import type { RawJson } from "../support/raw-json.js";

let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ headers: request.headers, body });
      response.writeHead(202, { "content-type": "text/plain" });
      response.end("queued");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/gitea`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("Gitea webhooks against the contract kit", () => {
  const kit = readGiteaKitDeliveries();

  it.each(kit.deliveries.map((delivery) => [delivery.body_file, delivery] as const))(
    "reproduces %s byte for byte, signed and headed",
    (_, delivery) => {
      const bytes = readGiteaExample(delivery.body_file.replace(/\.json$/, "") as GiteaExampleName);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(delivery.body_sha256);
      expect(serializeGiteaPayload(JSON.parse(bytes) as RawJson)).toBe(bytes);
      const signature = signGiteaPayload(kit.secret, bytes);
      expect(signature.sha256).toBe(delivery.gitea_headers["X-Gitea-Signature"]);
      expect(`sha1=${signature.sha1}`).toBe(delivery.gitea_headers["X-Hub-Signature"]);
      const eventType = delivery.gitea_headers["X-Gitea-Event-Type"] ?? "";
      const deliveryId = delivery.gitea_headers["X-Gitea-Delivery"] ?? "";
      const headers = giteaDeliveryHeaders(eventType, bytes, { secret: kit.secret, deliveryId });
      expect(Object.entries(headers)).toEqual(Object.entries(delivery.gitea_headers));
      const forgejo = giteaDeliveryHeaders(eventType, bytes, { secret: kit.secret, deliveryId, forgejo: true });
      expect(Object.entries(forgejo)).toEqual(Object.entries({ ...delivery.forgejo_additional_headers, ...delivery.gitea_headers }));
    },
  );

  it("escapes <, > and & as Go does, and sends empty digests for an empty secret", () => {
    expect(serializeGiteaPayload({ body: "<b>Tom & Jerry</b>", n: 1 })).toBe(
      '{\n  "body": "\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e",\n  "n": 1\n}',
    );
    const headers = giteaDeliveryHeaders("push", "{}", { secret: "", deliveryId: "d" });
    expect(headers).toMatchObject({ "X-Gitea-Signature": "", "X-Hub-Signature": "sha1=", "X-Hub-Signature-256": "sha256=" });
  });
});

describe("Gitea webhook payloads", () => {
  const where = { owner: "acme", repo: "widgets", giteaUrl: "http://127.0.0.1:3000", cloneUrl: "http://127.0.0.1:9/acme/widgets.git" };

  it("builds a comment on an issue", () => {
    const payload = makeGiteaIssueCommentEvent({ ...where, body: "/coder fix", issueNumber: 12, commentId: 501, login: "alice" });
    expect(payload).toMatchObject({
      action: "created",
      is_pull: false,
      issue: { number: 12, html_url: "http://127.0.0.1:3000/acme/widgets/issues/12", pull_request: null },
      comment: {
        id: 501,
        body: "/coder fix",
        user: { login: "alice", username: "alice" },
        issue_url: "http://127.0.0.1:3000/acme/widgets/issues/12",
      },
      repository: {
        name: "widgets",
        full_name: "acme/widgets",
        owner: { login: "acme" },
        clone_url: where.cloneUrl,
        default_branch: "main",
      },
      sender: { login: "alice" },
    });
    expect(payload.comment.html_url).toBe("http://127.0.0.1:3000/acme/widgets/issues/12#issuecomment-501");
    expect(payload).not.toHaveProperty("pull_request");
    expect(JSON.stringify(payload)).not.toMatch(/gitea\/webhooks|localhost:3000/);
  });

  it("builds a comment on a pull request, and an edited one with the old body", () => {
    const pull = { headRef: "fix/add", headSha: "b".repeat(40), baseSha: "a".repeat(40) };
    const payload = makeGiteaIssueCommentEvent({ ...where, body: "/coder review", pullRequest: true, issueNumber: 8, pull });
    expect(payload).toMatchObject({
      is_pull: true,
      issue: { number: 8, pull_request: { merged: false } },
      comment: { pull_request_url: "http://127.0.0.1:3000/acme/widgets/pulls/8", issue_url: "" },
      pull_request: { number: 8, head: { ref: "fix/add", label: "fix/add", sha: pull.headSha }, base: { ref: "main", sha: pull.baseSha } },
    });
    expect(payload.pull_request.head.repo.full_name).toBe("acme/widgets");
    const edited = makeGiteaIssueCommentEvent({ ...where, body: "/coder fix", action: "edited", bodyFrom: "/coder fxi" });
    expect(Object.keys(edited)).toEqual(["action", "issue", "comment", "changes", "repository", "sender", "is_pull"]);
    expect(edited.changes).toEqual({ body: { from: "/coder fxi" } });
  });

  it("builds pull request events, an edited one with the old title", () => {
    const opened = makeGiteaPullRequestEvent({
      ...where,
      number: 9,
      title: "WIP: Fix",
      author: "bob",
      headRef: "feat",
      headSha: "c".repeat(40),
    });
    expect(opened).toMatchObject({
      action: "opened",
      number: 9,
      pull_request: { number: 9, title: "WIP: Fix", user: { login: "bob" } },
      sender: { login: "bob" },
    });
    expect(opened).not.toHaveProperty("changes");
    const edited = makeGiteaPullRequestEvent({ ...where, action: "edited", title: "Fix", titleFrom: "WIP: Fix", sender: "alice" });
    expect(Object.keys(edited).slice(0, 4)).toEqual(["action", "number", "changes", "pull_request"]);
    expect(edited.changes).toEqual({ title: { from: "WIP: Fix" } });
    expect(edited.sender.login).toBe("alice");
  });

  it("builds a push", () => {
    const payload = makeGiteaPushEvent({
      ...where,
      ref: "refs/heads/main",
      before: "1".repeat(40),
      after: "2".repeat(40),
      pusher: "alice",
    });
    expect(payload).toMatchObject({
      ref: "refs/heads/main",
      after: "2".repeat(40),
      compare_url: `http://127.0.0.1:3000/acme/widgets/compare/${"1".repeat(40)}...${"2".repeat(40)}`,
      head_commit: { id: "2".repeat(40) },
      commits: [{ id: "2".repeat(40) }],
      pusher: { login: "alice" },
    });
  });
});

describe("deliverGitea", () => {
  const payload = makeGiteaIssueCommentEvent({ body: "/coder fix <now> & then" });

  it("posts the exact bytes with every header, signed", async () => {
    const answer = await deliverGitea(receiverUrl, "issue_comment", payload, { secret: "s3cret", deliveryId: "d-1", forgejo: true });
    expect(answer).toMatchObject({ status: 202, body: "queued" });
    const { headers, body } = received.at(-1)!;
    expect(body).toBe(serializeGiteaPayload(payload));
    expect(body).toContain("\\u003cnow\\u003e \\u0026 then");
    const expected = createHmac("sha256", "s3cret").update(body).digest("hex");
    expect(headers).toMatchObject({
      "content-type": "application/json",
      "x-gitea-event": "issue_comment",
      "x-gitea-event-type": "issue_comment",
      "x-gitea-delivery": "d-1",
      "x-gitea-signature": expected,
      "x-hub-signature-256": `sha256=${expected}`,
      "x-forgejo-signature": expected,
      "x-github-event-type": "issue_comment",
    });
  });

  it("sends a wrong signature, none at all, or a form", async () => {
    await deliverGitea(receiverUrl, "pull_request_comment", payload, { secret: "s3cret", signature: "0".repeat(64) });
    expect(received.at(-1)!.headers).toMatchObject({ "x-gitea-signature": "0".repeat(64), "x-gitea-event": "issue_comment" });
    await deliverGitea(receiverUrl, "push", payload, { secret: "s3cret", signature: null });
    expect(Object.keys(received.at(-1)!.headers).filter((name) => name.includes("signature"))).toEqual([]);
    await deliverGitea(receiverUrl, "push", payload, { secret: "s3cret", form: true });
    const { headers, body } = received.at(-1)!;
    expect(headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const json = new URLSearchParams(body).get("payload") ?? "";
    expect(json).toBe(serializeGiteaPayload(payload));
    expect(headers["x-gitea-signature"]).toBe(createHmac("sha256", "s3cret").update(json).digest("hex"));
  });
});
