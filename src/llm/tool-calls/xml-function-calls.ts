/**
 * The `<function=NAME>` call format: Qwen3-Coder's XML parameters
 *
 *     <function=read_file>
 *     <parameter=path>
 *     src/a.ts
 *     </parameter>
 *     </function>
 *
 * and Llama 3.1's JSON body, `<function=read_file>{"path": "src/a.ts"}</function>`. Models drop
 * closing tags (`</parameter>`, `</function>`) and the `<tool_call>` wrapper, so a block ends at
 * its closing tag, at the next `<function=`, at `</tool_call>`, or at the end of the text.
 */

export type FunctionBody =
  | { readonly kind: "parameters"; readonly values: Record<string, string> }
  | { readonly kind: "json"; readonly text: string }
  | { readonly kind: "text"; readonly text: string };

export interface FunctionBlock {
  readonly name: string;
  readonly body: FunctionBody;
  /** Index of `<function=` and just past the block (its `</function>` and an orphan `</tool_call>`). */
  readonly start: number;
  readonly end: number;
}

const OPENER = /<function=([^>\n]*)>/g;
const PARAMETER = /<parameter=([^>\n]*)>/g;

/** Reads the block whose `<function=` is at `start`; null when the tag itself is malformed. */
export function readFunctionBlock(text: string, start: number): FunctionBlock | null {
  OPENER.lastIndex = start;
  const open = OPENER.exec(text);
  if (!open || open.index !== start) return null;
  const name = unquote(open[1] ?? "");
  if (name === "") return null;
  const bodyStart = start + open[0].length;
  const ends = [
    text.indexOf("</function>", bodyStart),
    text.indexOf("<function=", bodyStart),
    text.indexOf("</tool_call>", bodyStart),
  ].filter((i) => i !== -1);
  const bodyEnd = ends.length > 0 ? Math.min(...ends) : text.length;
  let end = bodyEnd;
  if (text.startsWith("</function>", end)) end += "</function>".length;
  // qwen3-coder sometimes omits `<tool_call>` but still writes `</tool_call>`: swallow the orphan.
  const orphan = /^\s*<\/tool_call>/.exec(text.slice(end));
  if (orphan) end += orphan[0].length;
  return { name, body: readBody(text.slice(bodyStart, bodyEnd)), start, end };
}

function readBody(body: string): FunctionBody {
  const trimmed = body.trim();
  if (trimmed.startsWith("{")) return { kind: "json", text: trimmed };
  const openers = [...body.matchAll(PARAMETER)];
  if (openers.length === 0) return trimmed === "" ? { kind: "parameters", values: {} } : { kind: "text", text: trimmed };
  const values: Record<string, string> = {};
  openers.forEach((match, i) => {
    const key = unquote(match[1] ?? "");
    const valueStart = match.index + match[0].length;
    const nextOpener = openers[i + 1]?.index ?? body.length;
    const close = body.indexOf("</parameter>", valueStart);
    const closed = close !== -1 && close <= nextOpener;
    if (key !== "") values[key] = trimParameterValue(body.slice(valueStart, closed ? close : nextOpener), closed);
  });
  return { kind: "parameters", values };
}

/**
 * The template writes each value on its own lines, `<parameter=x>\nvalue\n</parameter>`, so one
 * newline on each side belongs to the format, not the value; everything else is kept (a file's
 * content keeps its indentation). An unclosed value runs to the next tag and is trimmed.
 */
export function trimParameterValue(raw: string, closed: boolean): string {
  let value = raw;
  if (value.startsWith("\r\n")) value = value.slice(2);
  else if (value.startsWith("\n")) value = value.slice(1);
  else value = value.replace(/^[ \t]+/, "");
  if (!closed) return value.replace(/\s+$/, "");
  if (value.endsWith("\r\n")) return value.slice(0, -2);
  if (value.endsWith("\n")) return value.slice(0, -1);
  return value;
}

function unquote(name: string): string {
  return name
    .trim()
    .replace(/^["'](.*)["']$/, "$1")
    .trim();
}
