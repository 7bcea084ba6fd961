import { createHash } from "node:crypto";
import type { Finding } from "./findings.js";

/**
 * What makes two findings the same across pushes: the file, the kind of problem, the gist of the
 * title, and the code the finding is about (not its line number, which moves when lines are added
 * above). Whitespace and case differences in the code and title do not count.
 */
export function fingerprint(finding: Pick<Finding, "path" | "category" | "title">, code: string): string {
  const lines = code
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join("\n");
  return digest(`${finding.path}\0${finding.category}\0${gist(finding.title)}\0${lines}`);
}

/**
 * The subject of a finding without the code under it: the file, the kind of problem and the gist
 * of the title. Once a person has answered or resolved a thread, the same subject is not raised
 * again even after the code beneath it changed; a fingerprint alone would see new code as new.
 */
export function topic(finding: Pick<Finding, "path" | "category" | "title">): string {
  return digest(`${finding.path}\0${finding.category}\0${gist(finding.title)}`);
}

function gist(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}
