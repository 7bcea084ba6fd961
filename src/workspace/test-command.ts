import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathExists } from "./path-exists.js";

/** The repository's test command, detected from its build files, or null when there is none. */
export async function detectTestCommand(root: string): Promise<string | null> {
  const packageJson = path.join(root, "package.json");
  if (await pathExists(packageJson)) {
    try {
      const pkg = JSON.parse(await readFile(packageJson, "utf8")) as { scripts?: Record<string, string> };
      const test = pkg.scripts?.test;
      if (test && !/no test specified/.test(test)) return "npm test";
    } catch {
      /* unreadable package.json: fall through to the other build systems */
    }
  }
  for (const marker of ["pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "conftest.py"]) {
    if (await pathExists(path.join(root, marker))) return "python3 -m pytest -q";
  }
  if (await pathExists(path.join(root, "go.mod"))) return "go test ./...";
  if (await pathExists(path.join(root, "Cargo.toml"))) return "cargo test";
  const makefile = path.join(root, "Makefile");
  if (await pathExists(makefile)) {
    const text = await readFile(makefile, "utf8");
    if (/^test\s*::?(?!=)/m.test(text)) return "make test";
  }
  return null;
}
