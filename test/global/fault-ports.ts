// The ports of the misbehaving SMTP servers (test/global/smtp-faults.mjs), one fault
// each, from the run's TEST_PORT_BASE. Shared by the servers (Node) and the tests (workerd).

/** One port per fault. */
export function faultPorts(base: number) {
  return {
    closeBeforeGreeting: base + 10,
    closeAfterAccept: base + 11,
    closeMidReply: base + 12,
    busyAtConnect: base + 13,
    noStartTls: base + 14,
    selfSignedTls: base + 15,
    slowDataEnd: base + 16,
    silent: base + 17,
    slowButInTime: base + 18,
    dropsIdle: base + 19,
    refusesPassword: base + 20,
  } as const;
}

/** The port of the HTTP API that says what each faulty server received. */
export function faultStatsPort(base: number): number {
  return base + 9;
}
