import type { ForgeAddress, ForgeId } from "./forge-address.js";
import type { Forge } from "./forge.js";
import { ForgeWriter } from "./forge-writer.js";
import { ForgeUnavailableError } from "./forge-unavailable-error.js";

/** How each forge's adapter is reached for an address of its own kind; a forge this bot does not serve is left out. */
export type ForgeAdapters = { readonly [K in ForgeId]?: (address: Extract<ForgeAddress, { forge: K }>) => Promise<Forge> };

/**
 * The forges this bot serves. Jobs open a repository's forge through it and receive a
 * {@link ForgeWriter}: the redactor is applied here, once, for every job.
 */
export class Forges {
  readonly #adapters: ForgeAdapters;
  readonly #secrets: readonly string[];

  constructor(adapters: ForgeAdapters, secrets: ReadonlyArray<string | null | undefined>) {
    this.#adapters = adapters;
    this.#secrets = secrets.filter((s): s is string => Boolean(s));
  }

  async open(address: ForgeAddress): Promise<ForgeWriter> {
    return new ForgeWriter(await this.#adapter(address), this.#secrets);
  }

  #adapter(address: ForgeAddress): Promise<Forge> {
    switch (address.forge) {
      case "github": {
        const open = this.#adapters.github;
        if (!open) throw new ForgeUnavailableError("github");
        return open(address);
      }
      case "gitea": {
        const open = this.#adapters.gitea;
        if (!open) throw new ForgeUnavailableError("gitea");
        return open(address);
      }
    }
  }
}
