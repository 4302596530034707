/** One I2C bus as the display driver needs it: write a run of bytes to a 7-bit address in one transaction. */
export interface I2cBus {
  readonly name: string;
  /** Rejects with an Error whose message names the cause (ENXIO/EREMOTEIO: no device answered). */
  write(address: number, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}
