import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("deployment files", () => {
  it("docker-compose.yml is accepted by Compose and runs the bot, Ollama and Qdrant", () => {
    // Debian ships Compose v1 as docker-compose (installed by scripts/setup.sh); the v2 plugin is used too where present.
    const config = execFileSync("docker-compose", ["-f", "docker-compose.yml", "config"], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    const { services } = parse(config) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: Array<string | { source: string; target: string }> }>;
    };
    expect(Object.keys(services).sort()).toEqual(["app", "ollama", "qdrant"]);
    // Job containers mount worktrees by host path: the data directory is the same path on both sides, and the engine's socket is there.
    const app = services.app!;
    const mounts = (app.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":").slice(0, 2) : [v.source, v.target]));
    expect(mounts).toContainEqual(["/var/run/docker.sock", "/var/run/docker.sock"]);
    const dataDir = app.environment?.CODER_DATA_DIR;
    expect(dataDir).toBe("/var/lib/coder-bot");
    expect(mounts).toContainEqual([dataDir, dataDir]);
    const v2 = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
    if (v2.status === 0) execFileSync("docker", ["compose", "-f", "docker-compose.yml", "config", "-q"], { cwd: root });
  });

  it("app.yml asks for the issue_comment, pull_request and push events and only the permissions the bot uses", () => {
    const manifest = parse(read("app.yml")) as { default_events: string[]; default_permissions: Record<string, string> };
    expect(manifest.default_events).toEqual(["issue_comment", "pull_request", "push"]);
    expect(manifest.default_permissions).toEqual({ contents: "write", issues: "write", pull_requests: "write", metadata: "read" });
  });

  it("the CI workflow runs the same test command as .ci/run", () => {
    const workflow = parse(read(".github/workflows/ci.yml")) as { jobs: { test: { steps: Array<{ run?: string }> } } };
    expect(workflow.jobs.test.steps.some((s) => s.run?.includes(".ci/run"))).toBe(true);
    expect(read(".ci/run")).toContain("scripts/test.sh");
  });
});

describe("source shape", () => {
  const sources = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.join(dir, entry.name);
      return entry.isDirectory() ? sources(rel) : entry.name.endsWith(".ts") ? [rel] : [];
    });

  it("keeps every file of src/ under 400 lines", () => {
    const long = sources("src")
      .map((file) => ({ file, lines: read(file).split("\n").length - 1 }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });

  it("reads job payloads through their contracts, never by a cast", () => {
    const casts = sources("src").flatMap((file) =>
      read(file)
        .split("\n")
        .flatMap((line, i) => (/\bas\s+(?:[A-Za-z]+\.)?[A-Za-z]*Payload\b/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(casts).toEqual([]);
  });
});
