/**
 * A delivery whose payload lacks what its event must carry (a repository, a number, a commit).
 * The receiver answers it with a 4xx and queues nothing.
 */
export class PayloadError extends Error {
  readonly reason = "incomplete-payload";
  /** The forge's name for the event, `pull_request`. */
  readonly event: string;

  constructor(event: string, message: string) {
    super(`${event} payload ${message}`);
    this.name = "PayloadError";
    this.event = event;
  }
}
