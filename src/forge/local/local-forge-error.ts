/** Something a hosted forge does that a repository on this machine cannot (it has no pull requests). */
export class LocalForgeError extends Error {
  readonly reason: "no-pull-requests";

  constructor(reason: "no-pull-requests", message: string) {
    super(message);
    this.name = "LocalForgeError";
    this.reason = reason;
  }
}
