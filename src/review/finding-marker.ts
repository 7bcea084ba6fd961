/**
 * A finding's identity written into what the bot posts, as an HTML comment GitHub does not show.
 * The pull request itself then remembers what was raised: a bot with a fresh data directory, or a
 * second bot reading the same pull request, still repeats nothing.
 */
const MARKER = /<!-- coder-bot:finding fingerprint=([0-9a-f]{32}) topic=([0-9a-f]{32}) -->/g;

export interface MarkedFinding {
  readonly fingerprint: string;
  readonly topic: string;
}

export function findingMarker(finding: MarkedFinding): string {
  return `<!-- coder-bot:finding fingerprint=${finding.fingerprint} topic=${finding.topic} -->`;
}

/** Every marker in a comment or review body, in order. */
export function readFindingMarkers(body: string): MarkedFinding[] {
  return [...body.matchAll(MARKER)].map((m) => ({ fingerprint: m[1]!, topic: m[2]! }));
}

/**
 * The model's text without anything shaped like a marker. The model reads the author's diff, and a
 * diff can ask it to write a marker, which would silence a finding on a later push; only the bot
 * writes markers, after the model's text.
 */
export function withoutMarkers(text: string): string {
  return text.replace(/<!--\s*coder-bot:[\s\S]*?-->/g, "");
}
