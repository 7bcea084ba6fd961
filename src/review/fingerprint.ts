import { createHash } from "node:crypto";
import type { Finding } from "./findings.js";

/**
 * What makes two findings the same across pushes: the file, the kind of problem, the gist of the
 * title, and the code the finding is about (not its line number, which moves when lines are added
 * above). Whitespace and case differences in the code and title do not count.
 */
export function fingerprint(finding: Pick<Finding, "path" | "category" | "title">, code: string): string {
  const title = finding.title.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
  const lines = code
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join("\n");
  return createHash("sha256").update(`${finding.path}\0${finding.category}\0${title}\0${lines}`).digest("hex").slice(0, 32);
}
