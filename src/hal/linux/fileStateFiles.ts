/* The state files from the file system: a missing file is null (the program is not there, or has not written yet); any other error is thrown, for the caller to say. */
import { readFile } from "node:fs/promises";
import type { StateFiles } from "../stateFiles.js";

export const fileStateFiles: StateFiles = {
  async read(path) {
    try {
      return await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  },
};
