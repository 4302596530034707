/*
 * A unix stream socket the service offers to local tools (the control socket,
 * the capture tap): listening on a path that a killed run may have left
 * behind, with its permissions set before anyone is told it is there, and
 * gone again when the service stops. A socket that cannot be made is a
 * warning, never a failed start: the time service goes on without the tool.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerOpts, type Socket } from "node:net";

export class UnixSocketServer {
  private server: Server | undefined;

  constructor(
    readonly path: string,
    private readonly mode: number,
    private readonly onError: (message: string) => void,
  ) {}

  /** Resolves once listening, or once the error was reported; `listening` tells which. */
  async listen(accept: (socket: Socket) => void, options: ServerOpts = {}, setup?: (server: Server) => void): Promise<void> {
    // A socket left by a previous run (killed, not stopped) would make listen fail.
    rmSync(this.path, { force: true });
    const server = createServer(options, accept);
    setup?.(server);
    server.on("error", (err) => this.onError(err.message));
    await new Promise<void>((resolve) => {
      server.listen(this.path, () => resolve());
      server.once("error", () => resolve());
    });
    if (!server.listening) return;
    chmodSync(this.path, this.mode);
    this.server = server;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Stops accepting and removes the path; the caller ends its own connections first. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}
