/* chrony's figures through `chronyc -c` on chronyd's command socket; -n keeps it from ever waiting on DNS. */
import { execFile } from "node:child_process";
import type { ChronyQuery } from "../chronyChannel.js";

export function chronycQuery(socket: string): ChronyQuery {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile("chronyc", ["-h", socket, "-n", "-c", ...args], { timeout: 3000 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException;
        if (e.code === "ENOENT") return reject(new Error("chronyc not found: apt-get install chrony"));
        const said = (stderr || stdout).trim().split("\n")[0] ?? "";
        if (/Could not open connection|Connection refused|No such file/i.test(said)) {
          return reject(
            new Error(
              `chronyd not reachable on ${socket}: is chrony running (systemctl status chrony), and may this user open its socket (chrony's stratum1 drop-in: /run/chrony 0770, the socket group stratum1)?`,
            ),
          );
        }
        reject(new Error(`chronyc ${args.join(" ")}: ${said || e.message}`));
      });
    });
}
