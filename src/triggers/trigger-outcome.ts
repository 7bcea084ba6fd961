/** What a delivery led to: nothing (and why), a new job, or a job that already held this delivery or comment. */
export type TriggerOutcome =
  | { readonly action: "ignored"; readonly why: string }
  | { readonly action: "queued" | "duplicate"; readonly jobId: number; readonly kind: string };
