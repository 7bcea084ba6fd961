import { readFile, stat } from "node:fs/promises";
import path from "node:path";

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** The repository's test command, detected from its build files, or null when there is none. */
export async function detectTestCommand(root: string): Promise<string | null> {
  const packageJson = path.join(root, "package.json");
  if (await exists(packageJson)) {
    try {
      const pkg = JSON.parse(await readFile(packageJson, "utf8")) as { scripts?: Record<string, string> };
      const test = pkg.scripts?.test;
      if (test && !/no test specified/.test(test)) return "npm test";
    } catch {
      /* unreadable package.json: fall through to the other build systems */
    }
  }
  for (const marker of ["pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "conftest.py"]) {
    if (await exists(path.join(root, marker))) return "python3 -m pytest -q";
  }
  if (await exists(path.join(root, "go.mod"))) return "go test ./...";
  if (await exists(path.join(root, "Cargo.toml"))) return "cargo test";
  const makefile = path.join(root, "Makefile");
  if (await exists(makefile)) {
    const text = await readFile(makefile, "utf8");
    if (/^test\s*::?(?!=)/m.test(text)) return "make test";
  }
  return null;
}
