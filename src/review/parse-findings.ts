import { parseLenientJson } from "../llm/tool-calls/lenient-json.js";
import { isPlainObject } from "../llm/tool-calls/tool-schema.js";
import { stripReasoning } from "../llm/tool-calls/strip-reasoning.js";
import { categories, findingSchema, severities, type Finding } from "./findings.js";

export type ParsedReview =
  | { readonly ok: true; readonly summary: string; readonly findings: Finding[]; readonly dropped: string[]; readonly repairs: string[] }
  /** Nothing usable: the message goes back to the model for one more try. */
  | { readonly ok: false; readonly message: string };

/** Names small models use for the fields, mapped to ours. */
const ALIASES: Record<string, string> = {
  file: "path",
  filename: "path",
  file_path: "path",
  filePath: "path",
  line_number: "line",
  lineNumber: "line",
  end_line: "line",
  endLine: "line",
  start_line: "startLine",
  line_start: "startLine",
  description: "body",
  message: "body",
  comment: "body",
  explanation: "body",
  suggestion: "replacement",
  suggested_code: "replacement",
  suggestedCode: "replacement",
  fix: "replacement",
  type: "category",
  kind: "category",
  priority: "severity",
  level: "severity",
};

const SEVERITY_WORDS: Record<string, Finding["severity"]> = {
  blocker: "critical",
  high: "major",
  error: "major",
  medium: "minor",
  warning: "minor",
  low: "nit",
  info: "nit",
  suggestion: "nit",
  trivial: "nit",
};
const CATEGORY_WORDS: Record<string, Finding["category"]> = {
  correctness: "bug",
  logic: "bug",
  error: "bug",
  perf: "performance",
  readability: "maintainability",
  design: "maintainability",
  docs: "maintainability",
  documentation: "maintainability",
  test: "tests",
  testing: "tests",
  formatting: "style",
  naming: "style",
};

/**
 * Reads a review out of a model's reply: the JSON object (fenced, in prose, or slightly broken),
 * then each finding on its own, repaired where the intent is plain (field names, case, numbers as
 * text) and dropped with a reason where it is not. Only a reply with no readable review at all is
 * refused, with a message that says what to send instead.
 */
export function parseReview(text: string): ParsedReview {
  const visible = stripReasoning(text).trim();
  const candidate = extractJson(visible);
  if (candidate === null) return { ok: false, message: `Your reply held no JSON object. ${EXPECTED}` };
  const parsed = parseLenientJson(candidate);
  if (!parsed.ok) return { ok: false, message: `Your JSON could not be read (${parsed.message}). ${EXPECTED}` };
  const root = Array.isArray(parsed.value) ? { summary: "", findings: parsed.value } : parsed.value;
  if (!isPlainObject(root)) return { ok: false, message: `Your reply was not a JSON object. ${EXPECTED}` };
  const rawFindings = Array.isArray(root.findings)
    ? root.findings
    : Array.isArray(root.comments)
      ? root.comments
      : Array.isArray(root.issues)
        ? root.issues
        : [];
  const summary =
    typeof root.summary === "string" ? root.summary.trim() : typeof root.walkthrough === "string" ? root.walkthrough.trim() : "";
  if (summary === "" && rawFindings.length === 0)
    return { ok: false, message: `Your review had neither a summary nor findings. ${EXPECTED}` };
  const findings: Finding[] = [];
  const dropped: string[] = [];
  rawFindings.forEach((raw, i) => {
    const normalized = normalizeFinding(raw);
    const result = findingSchema.safeParse(normalized);
    if (result.success) findings.push(result.data);
    else
      dropped.push(
        `finding ${i + 1}: ${result.error.issues.map((issue) => `${issue.path.join(".") || "finding"}: ${issue.message}`).join("; ")}`,
      );
  });
  return { ok: true, summary, findings, dropped, repairs: [...parsed.repairs] };
}

export const EXPECTED =
  'Reply with one JSON object: {"summary": "<walkthrough of the change>", "findings": [{"path": "src/a.ts", "line": 12, "startLine": 10, "side": "RIGHT", "severity": "critical|major|minor|nit", "category": "bug|security|performance|maintainability|tests|style", "title": "<short>", "body": "<why it matters and what to do>", "replacement": "<exact new text for lines startLine..line, optional>"}]}.';

function extractJson(text: string): string | null {
  const fenced = /```(?:json|jsonc)?\s*\n([\s\S]*?)\n\s*```/.exec(text);
  if (fenced?.[1]?.trim().startsWith("{") || fenced?.[1]?.trim().startsWith("[")) return fenced[1];
  const start = text.search(/[{[]/);
  return start === -1 ? null : text.slice(start);
}

function normalizeFinding(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = ALIASES[key] ?? key;
    if (!(name in out)) out[name] = value;
  }
  for (const key of ["line", "startLine"]) if (typeof out[key] === "string" && /^\d+$/.test(out[key].trim())) out[key] = Number(out[key]);
  if (typeof out.line === "string" && /^\d+\s*-\s*\d+$/.test(out.line)) {
    const [start, end] = out.line.split("-").map((n) => Number(n.trim()));
    out.startLine = start;
    out.line = end;
  }
  if (out.startLine !== undefined && out.startLine === out.line) delete out.startLine;
  if (typeof out.side === "string") out.side = out.side.toUpperCase();
  if (typeof out.severity === "string") {
    const word = out.severity.trim().toLowerCase();
    out.severity = (severities as readonly string[]).includes(word) ? word : (SEVERITY_WORDS[word] ?? word);
  }
  if (typeof out.category === "string") {
    const word = out.category.trim().toLowerCase();
    out.category = (categories as readonly string[]).includes(word) ? word : (CATEGORY_WORDS[word] ?? word);
  }
  if (out.replacement === null || out.replacement === "") delete out.replacement;
  if ((typeof out.title !== "string" || out.title.trim() === "") && typeof out.body === "string") {
    // A finding without a title gets its body's first sentence.
    const first = /^[^\n.!?]{1,160}[.!?]?/.exec(out.body.trim())?.[0];
    if (first) out.title = first;
  }
  if (out.startLine === null) delete out.startLine;
  return out;
}
