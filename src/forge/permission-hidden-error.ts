/**
 * The forge would not tell the bot what a person may do in a repository (Gitea shows another
 * user's permission only to a repository admin). The message says what the bot account needs.
 */
export class PermissionHiddenError extends Error {
  readonly reason = "permission-hidden";
  readonly login: string;

  constructor(login: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "PermissionHiddenError";
    this.login = login;
  }
}
