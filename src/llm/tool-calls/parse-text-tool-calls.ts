import type { ToolSpec } from "../types.js";
import { callCandidates, type CallCandidate } from "./call-shapes.js";
import { parseLenientJsonAt } from "./lenient-json.js";
import { argumentsProblem, resolveCall, type ParsedCall } from "./resolve-call.js";
import { resolveToolName } from "./resolve-tool-name.js";
import { stripReasoning } from "./strip-reasoning.js";
import { readFunctionBlock, type FunctionBlock } from "./xml-function-calls.js";

export type { ParsedCall } from "./resolve-call.js";

export interface TextToolCalls {
  readonly calls: ParsedCall[];
  /** Calls that were meant but cannot be used, worded for the model, with the form to use instead. */
  readonly problems: string[];
}

/**
 * Finds the tool calls in the reply of a model without native tool calling ("text mode"):
 * `<tool_call>` tags (Qwen, Hermes), `<function=name>` blocks (Qwen3-Coder XML, Llama 3.1 JSON),
 * `<function_call>` and `<tools>` tags, Mistral's `[TOOL_CALLS]`, Llama's `<|python_tag|>`,
 * fenced ```json / ```tool_call blocks, and bare JSON call objects or lists in the text.
 *
 * Precision comes first: acting on an example the model only showed is worse than missing a call,
 * which the agent loop notices and nudges. So a call must name a known tool; code fences in other
 * languages and inline code are never read as calls; a `<function=` tag in the middle of a sentence
 * is a mention; bare JSON is looked for only when nothing in the reply was marked as a call.
 */
export function parseToolCallsFromText(text: string, tools: readonly ToolSpec[]): TextToolCalls {
  const visible = stripReasoning(text);
  // A reply that is nothing but one fenced block (```xml around a call) is the call, whatever the fence says.
  const sole = /^\s*```([^\n`]*)\n([\s\S]*?)\n?[ \t]*```\s*$/.exec(visible);
  if (sole && !CALL_FENCES.has(fenceLanguage(sole[1] ?? "")) && !/^ {0,3}```/m.test(sole[2] ?? "")) {
    const inner = scan(sole[2] ?? "", tools, false);
    if (inner.length > 0) return collect(inner);
  }
  return collect(scan(visible, tools, false));
}

type Finding = { readonly kind: "call"; readonly call: ParsedCall } | { readonly kind: "problem"; readonly message: string };

/** Fence languages whose content is read for calls; every other fence holds code or examples. */
const CALL_FENCES = new Set(["", "json", "jsonc", "json5", "tool_call", "tool_calls", "tool_code", "tool", "tool_use", "function_call"]);
/** Fences that, like tags, say their content is a call. */
const CERTAIN_FENCES = new Set(["tool_call", "tool_calls", "tool_code", "tool", "tool_use", "function_call"]);
const WRAPPER_TAGS: ReadonlyArray<{ open: string; close: string; reportFailures: boolean }> = [
  { open: "<tool_call>", close: "</tool_call>", reportFailures: true },
  { open: "<function_call>", close: "</function_call>", reportFailures: true },
  // Qwen2.5-Coder answers in <tools> when shown so; the same tag also wraps echoed tool definitions.
  { open: "<tools>", close: "</tools>", reportFailures: false },
];
const MARKERS = /```|`|<tool_call>|<function_call>|<tools>|<function=|\[TOOL_CALLS\]|<\|python_tag\|>/g;
/** Bounds the work spent on prose full of braces (code in an answer). */
const MAX_BARE_ATTEMPTS = 500;

function collect(findings: readonly Finding[]): TextToolCalls {
  const calls: ParsedCall[] = [];
  const problems: string[] = [];
  for (const f of findings) {
    if (f.kind === "call") calls.push(f.call);
    else problems.push(f.message);
  }
  return { calls, problems };
}

/**
 * One pass over the text: marked calls are read where they stand, fences and inline code are
 * stepped over, and the prose between them is kept for the bare-JSON pass.
 */
function scan(text: string, tools: readonly ToolSpec[], bareIsCertain: boolean): Finding[] {
  const findings: Finding[] = [];
  const prose: Array<[number, number]> = [];
  let proseStart = 0;
  let i = 0;
  const endProse = (at: number) => {
    if (at > proseStart) prose.push([proseStart, at]);
  };
  while (i < text.length) {
    MARKERS.lastIndex = i;
    const match = MARKERS.exec(text);
    if (!match) break;
    const at = match.index;
    const marker = match[0];
    if (marker === "```") {
      if (!atLineStart(text, at, true)) {
        i = at + 3;
        continue;
      }
      const fence = readFence(text, at);
      endProse(at);
      const language = fenceLanguage(fence.info);
      if (CALL_FENCES.has(language)) findings.push(...scan(fence.body, tools, CERTAIN_FENCES.has(language)));
      i = proseStart = fence.end;
    } else if (marker === "`") {
      const close = text.indexOf("`", at + 1);
      const newline = text.indexOf("\n", at + 1);
      if (close === -1 || (newline !== -1 && newline < close)) {
        i = at + 1;
        continue;
      }
      endProse(at);
      i = proseStart = close + 1;
    } else if (marker === "<function=") {
      if (!atLineStart(text, at, false)) {
        i = at + marker.length;
        continue;
      }
      const block = readFunctionBlock(text, at);
      if (!block) {
        i = at + marker.length;
        continue;
      }
      endProse(at);
      findings.push(...fromFunctionBlock(block, tools));
      i = proseStart = block.end;
    } else if (marker === "[TOOL_CALLS]") {
      endProse(at);
      const read = readMistralCalls(text, at + marker.length, tools);
      findings.push(...read.findings);
      i = proseStart = read.end;
    } else if (marker === "<|python_tag|>") {
      endProse(at);
      const read = readJsonSequence(text, at + marker.length, tools, true, true);
      findings.push(...read.findings);
      i = proseStart = read.end;
    } else {
      const tag = WRAPPER_TAGS.find((t) => t.open === marker) as (typeof WRAPPER_TAGS)[number];
      const bodyStart = at + marker.length;
      const close = text.indexOf(tag.close, bodyStart);
      const nextOpen = text.indexOf(tag.open, bodyStart);
      const closed = close !== -1 && (nextOpen === -1 || close < nextOpen);
      const bodyEnd = closed ? close : nextOpen !== -1 ? nextOpen : text.length;
      endProse(at);
      // A JSON body is read against the whole text, so a "</tool_call>" inside one of its strings
      // (code-editing arguments echo it) does not end the call early.
      const jsonStart = bodyStart + text.slice(bodyStart, bodyEnd).search(/\S|$/);
      const json = "{[".includes(text[jsonStart] ?? "x")
        ? readJsonSequence(text, jsonStart, tools, true, tag.reportFailures && closed)
        : null;
      if (json && !json.failed) {
        findings.push(...json.findings);
        const after = /^\s*/.exec(text.slice(json.end))?.[0].length ?? 0;
        i = proseStart = text.startsWith(tag.close, json.end + after) ? json.end + after + tag.close.length : json.end;
      } else {
        // Unreadable against the whole text (say, a brace missing before the closing tag): read the body alone.
        findings.push(...fromWrapperBody(text.slice(bodyStart, bodyEnd), tools, tag.reportFailures && closed));
        i = proseStart = closed ? close + tag.close.length : bodyEnd;
      }
    }
  }
  endProse(text.length);
  if (findings.length > 0) return findings;
  return bareJson(text, prose, tools, bareIsCertain);
}

/** A fence opens at the start of a line (up to three spaces of indent); a `<function=` tag also right after another tag. */
function atLineStart(text: string, at: number, fence: boolean): boolean {
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const before = text.slice(lineStart, at);
  if (fence) return /^ {0,3}$/.test(before);
  if (/^[ \t]*$/.test(before)) return true;
  return before.trimEnd().endsWith(">");
}

function readFence(text: string, at: number): { info: string; body: string; end: number } {
  const lineEnd = text.indexOf("\n", at);
  if (lineEnd === -1) return { info: text.slice(at + 3), body: "", end: text.length };
  const info = text.slice(at + 3, lineEnd);
  const closing = /^ {0,3}```[ \t]*$/gm;
  closing.lastIndex = lineEnd + 1;
  const close = closing.exec(text);
  if (!close) return { info, body: text.slice(lineEnd + 1), end: text.length };
  return { info, body: text.slice(lineEnd + 1, close.index), end: close.index + close[0].length };
}

function fenceLanguage(info: string): string {
  return (info.trim().split(/\s+/)[0] ?? "").toLowerCase();
}

function fromFunctionBlock(block: FunctionBlock, tools: readonly ToolSpec[]): Finding[] {
  const { body } = block;
  if (body.kind === "json") {
    const parsed = parseLenientJsonAt(body.text, 0);
    if (!parsed.ok) return [problem(`the arguments are not valid JSON: ${parsed.message}`, block.name, tools)];
    return resolveAll([{ name: block.name, arguments: parsed.value, hasArguments: true, rest: {} }], tools, true, parsed.repairs);
  }
  const args = body.kind === "parameters" ? body.values : body.text;
  return resolveAll([{ name: block.name, arguments: args, hasArguments: true, rest: {} }], tools, true, []);
}

/** The inside of `<tool_call>…</tool_call>` and its kin: XML function blocks, or JSON calls. */
function fromWrapperBody(rawBody: string, tools: readonly ToolSpec[], reportFailures: boolean): Finding[] {
  const body = unfence(rawBody);
  if (body.trim() === "") return [];
  const opener = body.indexOf("<function=");
  if (opener !== -1 && body.slice(0, opener).trim() === "") {
    const findings: Finding[] = [];
    for (let at = opener; at !== -1;) {
      const block = readFunctionBlock(body, at);
      if (!block) break;
      findings.push(...fromFunctionBlock(block, tools));
      at = body.indexOf("<function=", block.end);
    }
    return findings;
  }
  const start = body.search(/\S/);
  const read = readJsonSequence(body, start, tools, true, reportFailures);
  return read.findings;
}

/** Drops a fence around a tag's content (```json inside <tool_call>). */
function unfence(body: string): string {
  const fenced = /^\s*```[^\n]*\n([\s\S]*?)\n?[ \t]*```\s*$/.exec(body);
  return fenced ? (fenced[1] ?? "") : body;
}

/** One or more JSON values in a row (`{…} {…}`, or `{…}; {…}` after `<|python_tag|>`), each a call or list of calls. */
function readJsonSequence(
  text: string,
  from: number,
  tools: readonly ToolSpec[],
  certain: boolean,
  reportFailures: boolean,
): { findings: Finding[]; end: number; failed: boolean } {
  const findings: Finding[] = [];
  let at = from;
  for (;;) {
    while (at < text.length && /[\s;,]/.test(text[at] as string)) at++;
    if (at >= text.length || !"{[".includes(text[at] as string)) break;
    const parsed = parseLenientJsonAt(text, at);
    if (!parsed.ok) {
      if (reportFailures) findings.push({ kind: "problem", message: unreadableCall(parsed.message) });
      return { findings, end: text.length, failed: true };
    }
    const candidates = callCandidates(parsed.value);
    if (candidates) findings.push(...resolveAll(candidates, tools, certain, parsed.repairs));
    else if (reportFailures)
      findings.push({
        kind: "problem",
        message: 'A tool call does not name a tool. Write each call as {"name": "<tool name>", "arguments": {...}}.',
      });
    at = parsed.end;
  }
  return { findings, end: at, failed: false };
}

/** Mistral and Devstral: `[TOOL_CALLS][{"name": …, "arguments": …}]` or `[TOOL_CALLS]name[ARGS]{…}`. */
function readMistralCalls(text: string, from: number, tools: readonly ToolSpec[]): { findings: Finding[]; end: number; failed?: boolean } {
  let at = from;
  while (at < text.length && /\s/.test(text[at] as string)) at++;
  if ("{[".includes(text[at] ?? "x")) return readJsonSequence(text, at, tools, true, true);
  const head = /^([\w.-]+)\s*(?:\[CALL_ID\]\s*\w+\s*)?(?:\[ARGS\])?\s*/.exec(text.slice(at));
  if (!head || text[at + head[0].length] !== "{") return { findings: [], end: at };
  const name = head[1] as string;
  const parsed = parseLenientJsonAt(text, at + head[0].length);
  if (!parsed.ok) return { findings: [problem(`the arguments are not valid JSON: ${parsed.message}`, name, tools)], end: text.length };
  return {
    findings: resolveAll([{ name, arguments: parsed.value, hasArguments: true, rest: {} }], tools, true, parsed.repairs),
    end: parsed.end,
  };
}

/** JSON call objects standing in the prose, with no tag around them. */
function bareJson(text: string, prose: ReadonlyArray<[number, number]>, tools: readonly ToolSpec[], certain: boolean): Finding[] {
  const findings: Finding[] = [];
  let attempts = 0;
  for (const [start, end] of prose) {
    const segment = text.slice(start, end);
    for (let at = 0; at < segment.length; at++) {
      const c = segment[at];
      if (c !== "{" && c !== "[") continue;
      if (++attempts > MAX_BARE_ATTEMPTS) return findings;
      const parsed = parseLenientJsonAt(segment, at);
      if (!parsed.ok) continue;
      const candidates = callCandidates(parsed.value);
      if (candidates) findings.push(...resolveAll(candidates, tools, certain, parsed.repairs));
      // Data that is not a call is skipped whole: its inner objects are part of it, not calls.
      at = parsed.end - 1;
    }
  }
  return findings;
}

function resolveAll(
  candidates: readonly CallCandidate[],
  tools: readonly ToolSpec[],
  certain: boolean,
  parseRepairs: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  for (const candidate of candidates) {
    const resolution = resolveCall(candidate, tools, certain);
    if (resolution.kind === "call")
      findings.push({ kind: "call", call: { ...resolution.call, repairs: [...parseRepairs, ...resolution.call.repairs] } });
    else if (resolution.kind === "problem") findings.push(resolution);
  }
  return findings;
}

/** A broken call to a named tool: reported as an unknown tool when it is one, else with the form to use. */
function problem(reason: string, name: string, tools: readonly ToolSpec[]): Finding {
  const resolved = resolveToolName(name, tools);
  if (!resolved.ok) return { kind: "problem", message: resolved.message };
  const tool = tools.find((t) => t.name === resolved.name) as ToolSpec;
  return { kind: "problem", message: argumentsProblem(tool, reason) };
}

function unreadableCall(detail: string): string {
  return `A tool call could not be read: ${detail}. Write each call as {"name": "<tool name>", "arguments": {...}} with valid JSON.`;
}
