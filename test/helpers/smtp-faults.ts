// The misbehaving SMTP servers of test/global/smtp-faults.mjs, and what they received.
import { env } from 'cloudflare:workers';
import { faultPorts, faultStatsPort } from '../global/fault-ports';

/** One port per fault. */
export const FAULT_PORTS = faultPorts(env.TEST_PORT_BASE);
export type Fault = keyof typeof FAULT_PORTS;

/** What a faulty server saw: connections it talked on, AUTH commands, MAIL commands, and the recipients of each message received whole. */
export type FaultStats = { connections: number; auth: number; mail: number; delivered: string[] };

/** What each faulty server has received since the test run began. */
export async function faultStats(): Promise<Record<Fault, FaultStats>> {
  return (await fetch(`http://127.0.0.1:${faultStatsPort(env.TEST_PORT_BASE)}/stats`)).json();
}
