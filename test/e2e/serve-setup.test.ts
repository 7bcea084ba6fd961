import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../support/net.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");
let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe("coder-bot serve without credentials", () => {
  it("serves Probot's App registration page built from app.yml", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "coder-bot-setup-"));
    copyFileSync(path.join(repoRoot, "app.yml"), path.join(cwd, "app.yml"));
    copyFileSync(path.join(repoRoot, "package.json"), path.join(cwd, "package.json"));
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(repoRoot, "src/cli/main.ts"), "serve"], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        PORT: String(port),
        HOST: "127.0.0.1",
        CODER_DATA_DIR: path.join(cwd, "data"),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    stop = () => child.kill("SIGKILL");
    const page = await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`serve exited:\n${output}`);
        const response = await fetch(`http://127.0.0.1:${port}/probot`).catch(() => null);
        return response?.ok ? response.text() : null;
      },
      "the registration page",
      30_000,
    );
    expect(output).toContain("No GitHub App credentials");
    expect(page).toContain("Register GitHub App");
    // The manifest posted to GitHub carries app.yml's events and permissions.
    const manifest = /name="manifest"[^>]*value="([^"]*)"/.exec(page)?.[1] ?? page;
    const decoded = manifest.replace(/&quot;/g, '"').replace(/&#34;/g, '"');
    expect(decoded).toContain("issue_comment");
    expect(decoded).toContain('"pull_requests":"write"');
  });
});
