/*
 * An I2C bus at the other end of a unix socket, for the simulated appliance:
 * the daemon's real display code writes its exact byte stream here, and the
 * simulator decodes it with the LCD emulator and shows the screen. Each
 * transfer is a request [address, length (2 bytes BE), bytes] answered by
 * one byte: 0 acknowledged, 1 not (no device at that address). Nothing
 * listening is an unplugged display.
 */
import { connect, type Socket } from "node:net";
import type { I2cBus } from "../../src/hal/i2cBus.js";

export const I2C_ACK = 0;
export const I2C_NACK = 1;

export class SocketI2cBus implements I2cBus {
  readonly name: string;
  private socket: Socket | undefined;
  private waiting: { resolve: () => void; reject: (e: Error) => void; address: number } | undefined;

  constructor(private readonly path: string) {
    this.name = `emulated I2C bus ${path}`;
  }

  async write(address: number, bytes: Buffer): Promise<void> {
    const socket = await this.connected();
    const header = Buffer.from([address & 0x7f, bytes.length >> 8, bytes.length & 0xff]);
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject, address };
      socket.write(Buffer.concat([header, bytes]));
    });
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connected(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const s = connect(this.path);
      s.once("connect", () => {
        this.socket = s;
        resolve(s);
      });
      s.on("data", (d: Buffer) => {
        const w = this.waiting;
        this.waiting = undefined;
        if (!w) return;
        if (d[0] === I2C_ACK) w.resolve();
        else w.reject(new Error(`ENXIO: no device answered at 0x${w.address.toString(16)} on ${this.name}`));
      });
      s.on("error", (err: NodeJS.ErrnoException) => {
        const e = new Error(`ENXIO: ${this.name} not reachable (${err.code ?? err.message})`);
        if (this.socket !== s) reject(e);
        this.waiting?.reject(e);
        this.waiting = undefined;
      });
      s.on("close", () => {
        if (this.socket === s) this.socket = undefined;
        this.waiting?.reject(new Error(`ENXIO: ${this.name} closed`));
        this.waiting = undefined;
      });
    });
  }
}
