/**
 * The state files other programs of the box write for stratum1d to show (the
 * fleet gate's, the updater's): their text, or null when the file is not
 * there. Never blocking: the event loop also stamps the serial bytes.
 */
export interface StateFiles {
  read(path: string): Promise<string | null>;
}
