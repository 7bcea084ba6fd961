/** Where a fix is: the gate's phases, then the steps. The progress comment and failures name them. */
export type Phase = "configure" | "authorize" | "acknowledge" | "prepare" | "work" | "test" | "commit" | "publish" | "report";

export const phaseText: Record<Phase, string> = {
  configure: "reading the repository configuration",
  authorize: "checking permissions",
  acknowledge: "acknowledging the request",
  prepare: "preparing the workspace",
  work: "working on the change",
  test: "running the tests",
  commit: "committing the change",
  publish: "pushing and opening the pull request",
  report: "writing the report",
};
