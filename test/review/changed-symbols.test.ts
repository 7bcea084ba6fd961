import { describe, expect, it } from "vitest";
import { changedSymbols } from "../../src/review/changed-symbols.js";
import { parseGitDiff } from "../../src/diff/parse-git-diff.js";

/** One modified file whose single hunk is `lines` (each with its own +, - or space), under git's `section` header. */
function change(path: string, section: string, lines: string[]) {
  const old = lines.filter((l) => !l.startsWith("+")).length;
  const now = lines.filter((l) => !l.startsWith("-")).length;
  return parseGitDiff(
    [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, `@@ -10,${old} +10,${now} @@ ${section}`, ...lines, ""].join("\n"),
  );
}

describe("the names a review looks related code up by", () => {
  it("takes the declaration each changed line sits in, declarations on changed lines, and what added lines call", () => {
    const ts = change("src/store.ts", "export class Store {", [
      "   async save(record: Item): Promise<void> {",
      "-    await this.db.write(record);",
      "+    await this.db.write(validate(record));",
      "   }",
      "+  private static async purge(): Promise<void> {",
      "+    await removeAll();",
      "+  }",
      "+export const loadStore = async (path: string) => openStore(path);",
    ]);
    expect(changedSymbols(ts)).toEqual({
      changed: ["save", "purge", "loadStore"],
      called: ["write", "validate", "removeAll", "openStore"],
    });
  });

  it("reads Python, Go and Rust declarations, and a header's function when the hunk has none", () => {
    const files = [
      ...change("app/tax.py", "def sales_tax(amount, rate):", [
        "-    return math.floor(amount * rate)",
        "+    return round_cents(amount * rate)",
      ]),
      ...change("tax/tax.go", "func (c *Calculator) SalesTax(amount int) int {", [
        "-\treturn amount / 5",
        "+\treturn c.rate.Apply(amount)",
      ]),
      ...change("src/tax.rs", "impl Tax {", ["+    pub fn refund(&self, amount: i64) -> i64 {", "+        self.apply(-amount)", "+    }"]),
    ];
    expect(changedSymbols(files)).toEqual({ changed: ["sales_tax", "SalesTax", "refund"], called: ["round_cents", "Apply", "apply"] });
  });

  it("leaves out keywords, common library methods, short names, and what the change itself declares", () => {
    const js = change("lib/a.js", "", [
      "+function tidy(list) {",
      "+  if (list.length) return list.filter(Boolean).map((item) => normalize(item, fx)).sort();",
      "+  return tidy(list.slice(1));",
      "+}",
    ]);
    expect(changedSymbols(js)).toEqual({ changed: ["tidy"], called: ["normalize"] });
  });
});
