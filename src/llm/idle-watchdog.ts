/**
 * Abandons a model call when the backend sends nothing for `idleMs`. A wall-clock timeout would
 * cut off a long but healthy reply; a stuck runner, on the other hand, keeps the connection open
 * and would hold the job forever, so the clock restarts on every streamed chunk instead.
 *
 * @example
 * const watchdog = new IdleWatchdog(60_000, request.signal);
 * try {
 *   for await (const chunk of stream(watchdog.signal)) { watchdog.touch(); … }
 * } finally {
 *   watchdog.dispose();
 * }
 * if (watchdog.fired) … // the call was abandoned for silence, not cancelled by the caller
 */
export class IdleWatchdog {
  /** Aborts when the caller's signal aborts or when the backend has been silent too long. */
  readonly signal: AbortSignal;
  readonly idleMs: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #fired = false;

  constructor(idleMs: number, caller?: AbortSignal) {
    this.idleMs = idleMs;
    this.signal = caller ? AbortSignal.any([caller, this.#controller.signal]) : this.#controller.signal;
    this.touch();
  }

  /** Whether the call was abandoned because the backend went silent. */
  get fired(): boolean {
    return this.#fired;
  }

  /** Restarts the silence clock; call it whenever the backend sends something. */
  touch(): void {
    clearTimeout(this.#timer);
    if (this.#fired) return;
    this.#timer = setTimeout(() => {
      this.#fired = true;
      this.#controller.abort(new Error(`no data from the model for ${this.idleMs} ms`));
    }, this.idleMs);
    this.#timer.unref();
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
