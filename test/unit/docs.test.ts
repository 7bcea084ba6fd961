import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { envSchema } from "../../src/config/env.js";
import { repoConfigSchema } from "../../src/config/repo-config.js";

const root = path.resolve(import.meta.dirname, "../..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

function fieldPaths(schema: z.ZodType, prefix = ""): string[] {
  let inner: z.ZodType = schema;
  // Unwrap defaults and optionals to reach the object that holds the fields.
  while (
    inner instanceof z.ZodDefault ||
    inner instanceof z.ZodPrefault ||
    inner instanceof z.ZodOptional ||
    inner instanceof z.ZodNullable
  ) {
    inner = (inner as unknown as { def: { innerType: z.ZodType } }).def.innerType;
  }
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
    fieldPaths(value, prefix ? `${prefix}.${key}` : key),
  );
}

describe("README", () => {
  it("documents every environment variable", () => {
    const names = Object.keys((envSchema as unknown as z.ZodObject).shape);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it("documents every .github/coder.yml field", () => {
    const fields = fieldPaths(repoConfigSchema);
    expect(fields).toContain("budgets.steps");
    for (const field of fields) expect(readme, field).toContain(`| \`${field}\` |`);
  });

  it("has exactly the two quick-start commands that .ci/run and the scripts use", () => {
    const quick = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = quick
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim())
      .filter(Boolean);
    expect(commands).toEqual(["./scripts/start.sh", "./scripts/test.sh"]);
    expect(readFileSync(path.join(root, ".ci/run"), "utf8")).toContain("scripts/test.sh");
  });

  it("has the sections a reader comes for, and names every event the App subscribes to", () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const section of [
      "Quick start",
      "Configuration",
      "Models",
      "Reviews",
      "Code index",
      "Deploying",
      "Gitea and Forgejo",
      "How it keeps you safe",
      "Command line",
    ])
      expect(headings, section).toContain(section);
    const events = /default_events:\n((?:\s+- \w+\n)+)/.exec(readFileSync(path.join(root, "app.yml"), "utf8"))?.[1]?.match(/\w+/g) ?? [];
    expect(events.length).toBeGreaterThan(0);
    const deploying = readme.slice(readme.indexOf("## Deploying"), readme.indexOf("## How it keeps you safe"));
    for (const event of events) expect(deploying, event).toContain(`\`${event}\``);
  });
});
