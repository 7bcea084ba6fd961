import { z } from "zod";

export const severities = ["critical", "major", "minor", "nit"] as const;
export const categories = ["bug", "security", "performance", "maintainability", "tests", "style"] as const;

/** One finding as the model must return it; validated one by one, so a bad one never sinks the rest. Extra keys are ignored. */
export const findingSchema = z.object({
  path: z.string().min(1),
  /** The last (or only) line the finding is about. */
  line: z.number().int().positive(),
  /** The first line of a range; absent for one line. */
  startLine: z.number().int().positive().optional(),
  /** RIGHT: the new version (added or unchanged lines); LEFT: a removed line. */
  side: z.enum(["RIGHT", "LEFT"]).default("RIGHT"),
  severity: z.enum(severities),
  category: z.enum(categories),
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(4000),
  /** The exact new text for lines startLine..line (RIGHT side), when the fix is a clean replacement. */
  replacement: z.string().optional(),
});

export type Finding = z.output<typeof findingSchema>;
export type Severity = Finding["severity"];
