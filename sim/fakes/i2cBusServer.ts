/*
 * The simulator's side of SocketI2cBus: transfers from the daemon are fed to
 * an I2C device model (the LCD emulator), and each is acknowledged or not as
 * the model decides. Stopping the server is unplugging the display.
 */
import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { I2cBus } from "../../src/hal/i2cBus.js";
import { I2C_ACK, I2C_NACK } from "./socketI2cBus.js";

export interface I2cBusServer {
  path: string;
  close(): Promise<void>;
}

export async function serveI2cBus(path: string, device: I2cBus): Promise<I2cBusServer> {
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 3) {
        const len = (buf[1]! << 8) | buf[2]!;
        if (buf.length < 3 + len) break;
        const address = buf[0]!;
        const bytes = Buffer.from(buf.subarray(3, 3 + len));
        buf = buf.subarray(3 + len);
        // Transfers are answered in order, as a bus serialises them.
        chain = chain.then(() =>
          device.write(address, bytes).then(
            () => void socket.write(Buffer.from([I2C_ACK])),
            () => void socket.write(Buffer.from([I2C_NACK])),
          ),
        );
      }
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    },
  };
}
