/**
 * Removes a model's reasoning (`<think>…</think>`) from its reply. Reasoning often rehearses a
 * call ("I could call read_file with {...}") before deciding; only what follows it is the answer.
 * Qwen3's template opens the block in the prompt, so a reply may hold only the closing tag, and a
 * reply cut off while thinking holds only the opening one.
 */
export function stripReasoning(text: string): string {
  let visible = text.replace(/<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/g, "");
  const orphanClose = /<\/think(?:ing)?>/.exec(visible);
  if (orphanClose) visible = visible.slice(orphanClose.index + orphanClose[0].length);
  const unclosed = /<think(?:ing)?>/.exec(visible);
  if (unclosed) visible = visible.slice(0, unclosed.index);
  return visible;
}
