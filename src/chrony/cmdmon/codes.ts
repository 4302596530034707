/*
 * The numbers of chrony's command protocol, version 6 (candm.h), for the
 * requests this box makes and the answers chronyd 4.x gives them.
 *
 * Which requests chronyd answers where (cmdmon.c, permissions[]): over its
 * UDP command port (127.0.0.1 / ::1, or hosts in 'cmdallow') only the
 * monitoring requests marked PERMIT_OPEN; everything else, including
 * serverstats and the client list, gets status UNAUTH ("501 Not authorised").
 * Over the unix control socket every request is answered: the socket's file
 * permissions are the only guard.
 */

/** Request codes (REQ_*): the ones the box sends, and NULL. */
export const Req = {
  NULL: 0,
  N_SOURCES: 14,
  SOURCE_DATA: 15,
  TRACKING: 33,
  SOURCESTATS: 34,
  ACTIVITY: 44,
  SERVER_STATS: 54,
  /** chrony 4.x's client list (the third layout of it: NTS-KE counters, 8 clients a reply). */
  CLIENT_ACCESSES_BY_INDEX3: 68,
} as const;

/** Reply codes (RPY_*) of those requests. */
export const Rpy = {
  NULL: 1,
  N_SOURCES: 2,
  SOURCE_DATA: 3,
  TRACKING: 5,
  SOURCESTATS: 6,
  ACTIVITY: 12,
  CLIENT_ACCESSES_BY_INDEX3: 21,
  /** chrony 4.x's serverstats reply (11 counters); 4.3 answers SERVER_STATS with this. */
  SERVER_STATS3: 24,
} as const;

/**
 * The requests chronyd answers from anyone allowed to reach its UDP command
 * port (PERMIT_OPEN in cmdmon.c): NULL, LOGON (always fails), N_SOURCES,
 * SOURCE_DATA, TRACKING, SOURCESTATS, RTCREPORT, MANUAL_LIST, ACTIVITY,
 * SMOOTHING, NTP_SOURCE_NAME. Nothing here changes chronyd's state.
 */
export const MONITORING_REQUESTS: ReadonlySet<number> = new Set([0, 10, 14, 15, 33, 34, 35, 41, 44, 51, 65]);

/** Highest request code chronyd 4.3 knows (N_REQUEST_TYPES − 1); anything above is INVALID. */
export const LAST_REQUEST_CODE = 71;

/** Status codes (STT_*), named for the error reasons, with the line chronyc prints for each. */
export const STATUS = {
  0: { name: "success", chronyc: "200 OK" },
  1: { name: "failed", chronyc: "500 Failure" },
  2: { name: "unauthorised", chronyc: "501 Not authorised" },
  3: { name: "invalid", chronyc: "502 Invalid command" },
  4: { name: "noSuchSource", chronyc: "503 No such source" },
  15: { name: "inactive", chronyc: "519 Client logging is not active in the daemon" },
  18: { name: "badPacketVersion", chronyc: "517 Protocol version mismatch" },
  19: { name: "badPacketLength", chronyc: "518 Packet length mismatch" },
} as const;

export type StatusCode = keyof typeof STATUS;
export type StatusName = (typeof STATUS)[StatusCode]["name"];

export const Stt = { SUCCESS: 0, FAILED: 1, UNAUTH: 2, INVALID: 3, NOSUCHSOURCE: 4, INACTIVE: 15, BADPKTVERSION: 18, BADPKTLENGTH: 19 } as const;

export function statusOf(code: number): { name: StatusName | "otherStatus"; chronyc: string } {
  return code in STATUS ? STATUS[code as StatusCode] : { name: "otherStatus", chronyc: `520 Got unexpected error from daemon (status ${code})` };
}
