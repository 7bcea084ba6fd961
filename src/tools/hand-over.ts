import { chown } from "node:fs/promises";
import path from "node:path";
import type { ToolContext } from "./tool.js";

/**
 * Gives a file the bot wrote from the host (and the directories it created) to the workspace's
 * user, so that commands in the sandbox can change them afterwards.
 */
export async function handOver(file: string, createdDir: string | undefined, context: ToolContext): Promise<void> {
  const owner = context.runner.fileOwner;
  if (!owner || process.getuid?.() !== 0) return;
  await chown(file, owner.uid, owner.gid);
  if (createdDir === undefined) return;
  for (let dir = path.dirname(file); dir.startsWith(createdDir); dir = path.dirname(dir)) {
    await chown(dir, owner.uid, owner.gid);
    if (dir === createdDir) break;
  }
}
