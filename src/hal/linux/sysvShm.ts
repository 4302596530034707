/* SysV shared memory segments through the native addon (shmget 0600 + shmat, the mode-1 write of struct shmTime). */
import type { ShmSegments } from "../shmSegments.js";
import { errnoName, native } from "./native.js";

export function sysvShm(): ShmSegments {
  const calls = native();
  return {
    attach(key) {
      const id = calls.shmAttach(key, true);
      if (id < 0) return errnoName(id);
      return {
        write(f) {
          try {
            calls.shmWrite(id, f.clockSec, f.clockNsec, f.receiveSec, f.receiveNsec, f.leap, f.precision);
            return null;
          } catch (err) {
            // The segment was removed (ipcrm) under us.
            return `shmat: ${(err as Error).message}`;
          }
        },
      };
    },
  };
}
