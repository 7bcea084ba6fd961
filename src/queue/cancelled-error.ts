/** What a job's signal is aborted with when someone runs `/coder cancel`; the job reports who. */
export class CancelledError extends Error {
  readonly reason = "cancelled";
  readonly by: string;

  constructor(by: string) {
    super(`cancelled by @${by}`);
    this.name = "CancelledError";
    this.by = by;
  }
}
