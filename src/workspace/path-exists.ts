import { stat } from "node:fs/promises";

/** Whether something exists at `file` (following symbolic links). */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
