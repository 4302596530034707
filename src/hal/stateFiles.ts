/**
 * The state files other programs of the box write for stratum1d to show (the
 * fleet gate's, the updater's): their text, or null when the file is not
 * there. Implementations must not block for long (the event loop also takes
 * the serial bytes): the Linux one reads small files on tmpfs.
 */
export interface StateFiles {
  read(path: string): Promise<string | null>;
}
