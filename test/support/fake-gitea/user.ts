import type { Handlers } from "./routing.js";
import { userObject } from "./users.js";

export const userHandlers: Handlers = {
  /** The token's owner, with `is_admin` telling whether he is a site administrator. */
  userGetCurrent: (fake, { doer }) => ({ status: 200, json: userObject(fake, doer) }),
};
