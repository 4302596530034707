/*
 * The figures the box shows, each asked where chronyd answers it and no
 * further: tracking, sources, sourcestats and activity over the monitoring
 * channel (chronyd's UDP command port, chrony.monitor), serverstats and the
 * client list over the control socket (chrony.control) only. Without a
 * control socket those two fail at once with reason "noControlSocket": the
 * status can say what is needed, and chronyd is not sent requests it would
 * refuse. With only a control socket, everything goes through it.
 */
import type { ChronySource } from "../../status/contract.js";
import type { ChronySourceStats } from "./views.js";
import type { ChronyActivity } from "./activity.js";
import type { CmdmonClient } from "./client.js";
import { CmdmonError } from "./errors.js";
import type { ChronyClientRecord, CmdmonServerStats, CmdmonTracking } from "./views.js";

export interface ChronyReaderClients {
  /** Over chronyd's UDP command port: monitoring requests only. */
  monitoring?: CmdmonClient;
  /** Over chronyd's unix control socket: every request (see client.ts for what that allows). */
  control?: CmdmonClient;
  /** The config key naming the control socket, for messages. */
  controlKey?: string;
}

export class ChronyReader {
  private readonly monitoring: CmdmonClient;
  private readonly control: CmdmonClient | undefined;
  private readonly controlKey: string;

  constructor(clients: ChronyReaderClients) {
    const monitoring = clients.monitoring ?? clients.control;
    if (!monitoring) throw new Error("ChronyReader needs a monitoring client, a control client, or both");
    this.monitoring = monitoring;
    this.control = clients.control;
    this.controlKey = clients.controlKey ?? "chrony.control";
  }

  tracking(): Promise<CmdmonTracking> {
    return this.monitoring.tracking();
  }

  sources(): Promise<ChronySource[]> {
    return this.monitoring.sources();
  }

  sourceStats(): Promise<ChronySourceStats[]> {
    return this.monitoring.sourceStats();
  }

  activity(): Promise<ChronyActivity> {
    return this.monitoring.activity();
  }

  serverStats(): Promise<CmdmonServerStats> {
    return this.control ? this.control.serverStats() : this.needsControl("serverstats");
  }

  clients(): Promise<ChronyClientRecord[]> {
    return this.control ? this.control.clients() : this.needsControl("clients");
  }

  private needsControl(command: string): Promise<never> {
    return Promise.reject(new CmdmonError("noControlSocket", command, `${command} needs the control socket: chronyd answers it only there, and ${this.controlKey} is off`));
  }
}
