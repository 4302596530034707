/**
 * The SysV shared memory of the ntpd/ntpsec SHM refclock (chrony reads it
 * too): a segment per unit holding struct shmTime. Attaching may fail (a
 * segment another user created with other permissions), and a segment may be
 * removed under us (ipcrm): both are reasons, not exceptions.
 */
export interface ShmSegments {
  /** Attaches the segment with this key, creating it with mode 0600: a handle, or the reason it failed (EACCES, …). */
  attach(key: number): ShmSegment | string;
}

export interface ShmTimeFields {
  clockSec: number;
  clockNsec: number;
  receiveSec: number;
  receiveNsec: number;
  leap: number;
  /** log2 of the sample's precision in seconds. */
  precision: number;
}

export interface ShmSegment {
  /** Writes one sample with the mode-1 protocol: null, or the reason it failed (the segment is then to be attached afresh). */
  write(fields: ShmTimeFields): string | null;
}
