/* The panel's words for how the service ended, as systemd tells an ExecStopPost command. */
import { EXIT } from "./exitCodes.js";

/** The two lines for the service's end as systemd describes it ($SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS); null when it was stopped on purpose. */
export function noticeFor(env: NodeJS.ProcessEnv): [string, string] | null {
  const result = env.SERVICE_RESULT ?? "";
  if (result === "" || result === "success") return null;
  if (result === "exit-code" && Number(env.EXIT_STATUS) === EXIT.config) return ["SERVICE DOWN", "bad config"];
  if (result === "watchdog") return ["SERVICE DOWN", "hung, restarting"];
  if (result === "signal" || result === "core-dump") return ["SERVICE DOWN", "crashed, restart"];
  if (result === "exit-code") return ["SERVICE DOWN", `exit ${env.EXIT_STATUS ?? "?"}, restart`];
  return ["SERVICE DOWN", result.slice(0, 16)];
}
