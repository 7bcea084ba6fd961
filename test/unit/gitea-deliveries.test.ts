import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { giteaEvent } from "../../src/forge/gitea/narrow.js";
import { verifyDelivery } from "../../src/forge/gitea/verify-delivery.js";
import { PayloadError } from "../../src/forge/payload-error.js";
import type { RawJson } from "../support/raw-json.js";

/** Gitea's webhook kit: byte-exact bodies with the headers and signatures Gitea sends for them. */
const kit = path.resolve(import.meta.dirname, "../../../shared/contracts/gitea-webhooks");
const deliveries = (JSON.parse(readFileSync(path.join(kit, "deliveries.json"), "utf8")) as RawJson).deliveries as Array<{
  body_file: string;
  gitea_headers: Record<string, string>;
  forgejo_additional_headers: Record<string, string>;
}>;
const secret = "example-webhook-secret";

/** Node lower-cases header names, as an HTTP server hands them over. */
const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

function delivery(file: string) {
  const found = deliveries.find((d) => d.body_file === file);
  if (!found) throw new Error(`no delivery for ${file}`);
  return {
    body: readFileSync(path.join(kit, file)),
    headers: lower(found.gitea_headers),
    forgejo: lower(found.forgejo_additional_headers),
  };
}

describe("Gitea deliveries", () => {
  it.each(deliveries.map((d) => d.body_file))("verifies the signature Gitea put on %s, and refuses a changed byte", (file) => {
    const { body, headers } = delivery(file);
    const verified = verifyDelivery(headers, body, secret);
    expect(verified).toMatchObject({ ok: true, deliveryId: headers["x-gitea-delivery"], eventType: headers["x-gitea-event-type"] });
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10]! ^ 1;
    expect(verifyDelivery(headers, tampered, secret)).toMatchObject({ ok: false, status: 401 });
    expect(verifyDelivery(headers, body, "another-secret")).toMatchObject({ ok: false, status: 401 });
  });

  it("takes Forgejo's headers alone, a form-encoded body, and refuses a delivery without a signature", () => {
    const { body, headers, forgejo } = delivery("push.json");
    expect(verifyDelivery({ ...forgejo, "content-type": "application/json" }, body, secret)).toMatchObject({ ok: true, eventType: "push" });
    const form = Buffer.from(`payload=${encodeURIComponent(body.toString("utf8"))}`);
    expect(verifyDelivery({ ...headers, "content-type": "application/x-www-form-urlencoded" }, form, secret)).toMatchObject({ ok: true });
    const unsigned = { ...headers, "x-gitea-signature": "", "x-gogs-signature": "" };
    expect(verifyDelivery(unsigned, body, secret)).toEqual({ ok: false, status: 401, why: expect.stringContaining("not signed") });
    const { ["x-gitea-delivery"]: _gitea, ["x-gogs-delivery"]: _gogs, ...anonymous } = headers;
    expect(verifyDelivery(anonymous, body, secret)).toMatchObject({ ok: false, status: 400 });
  });

  it("narrows the kit's payloads into forge events", () => {
    const read = (file: string) => JSON.parse(readFileSync(path.join(kit, file), "utf8")) as RawJson;
    const onIssue = giteaEvent("issue_comment", "d-1", read("issue_comment_issue.json"), { botLogin: "coder-bot" });
    expect(onIssue).toMatchObject({
      type: "comment",
      repository: { address: { forge: "gitea" } },
      issue: { number: 7, isPullRequest: false },
      actor: { isBot: false },
    });
    const onPull = giteaEvent("pull_request_comment", "d-2", read("issue_comment_pull.json"), { botLogin: "coder-bot" });
    expect(onPull).toMatchObject({ type: "comment", issue: { number: 8, isPullRequest: true } });
    const opened = giteaEvent("pull_request", "d-3", read("pull_request_opened.json"), { botLogin: "coder-bot" });
    expect(opened).toMatchObject({ type: "pull-request", action: "opened" });
    const pushed = giteaEvent("push", "d-4", read("push.json"), { botLogin: "coder-bot" });
    expect(pushed).toMatchObject({
      type: "push",
      ref: "refs/heads/develop",
      after: "bffeb74224043ba2feb48d137756c8a9331c449a",
      deleted: false,
    });
    // The payload's repository and clone URL, as the bot needs them to fetch.
    const repository = read("push.json").repository as RawJson;
    expect(pushed?.repository).toEqual({
      address: { forge: "gitea" },
      owner: repository.owner.login,
      repo: repository.name,
      cloneUrl: repository.clone_url,
      defaultBranch: repository.default_branch,
    });
  });

  it("reads what Gitea means by draft, ready, new commits, edits and its own accounts", () => {
    const pull = JSON.parse(readFileSync(path.join(kit, "pull_request_opened.json"), "utf8")) as RawJson;
    const as = (changes: RawJson): RawJson => structuredClone<RawJson>({ ...pull, ...changes });
    const ready = as({ action: "edited", changes: { title: { from: "WIP: Add the thing" } } });
    ready.pull_request.title = "Add the thing";
    expect(giteaEvent("pull_request", "d", ready, { botLogin: "coder-bot" })).toMatchObject({ action: "ready", draft: false });
    const retitled = as({ action: "edited", changes: { title: { from: "Add a thing" } } });
    expect(giteaEvent("pull_request", "d", retitled, { botLogin: "coder-bot" })).toBeNull();
    const draft = as({ action: "opened" });
    draft.pull_request.title = "[WIP] Add the thing";
    expect(giteaEvent("pull_request", "d", draft, { botLogin: "coder-bot" })).toMatchObject({ action: "opened", draft: true });
    expect(giteaEvent("pull_request_sync", "d", as({ action: "synchronized" }), { botLogin: "coder-bot" })).toMatchObject({
      action: "updated",
    });
    expect(giteaEvent("pull_request", "d", as({ action: "closed" }), { botLogin: "coder-bot" })).toBeNull();
    expect(giteaEvent("pull_request_review_approved", "d", as({ action: "reviewed" }), { botLogin: "coder-bot" })).toBeNull();

    const comment = JSON.parse(readFileSync(path.join(kit, "issue_comment_issue.json"), "utf8")) as RawJson;
    const byBot = structuredClone(comment);
    byBot.comment.user.login = "Coder-Bot";
    expect(giteaEvent("issue_comment", "d", byBot, { botLogin: "coder-bot" })?.actor.isBot).toBe(true);
    const byActions = structuredClone(comment);
    byActions.comment.user = { id: -2, login: "gitea-actions" };
    expect(giteaEvent("issue_comment", "d", byActions, { botLogin: "coder-bot" })?.actor.isBot).toBe(true);
    expect(giteaEvent("issue_comment", "d", { ...comment, action: "edited" }, { botLogin: "coder-bot" })).toBeNull();

    const push = JSON.parse(readFileSync(path.join(kit, "push.json"), "utf8")) as RawJson;
    expect(giteaEvent("push", "d", { ...push, after: "0".repeat(40) }, { botLogin: "coder-bot" })).toMatchObject({ deleted: true });
    expect(() => giteaEvent("push", "d", { ...push, repository: {} }, { botLogin: "coder-bot" })).toThrow(PayloadError);
  });
});
