import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Run leases. The process that runs an eval holds its run's lease: an owner (`host:pid:token`) and
 * a heartbeat it renews every few seconds. A lease is alive while its heartbeat is younger than
 * the lease time and, on this host, while its process exists. A `running` run whose lease is dead
 * was killed: it reads as `interrupted`, and another process may resume it.
 */

/** How long a heartbeat keeps a lease alive. */
export const LEASE_MS = 30_000;
/** How often the holder renews it. */
export const HEARTBEAT_MS = 5_000;

export interface Owner {
  host: string;
  pid: number;
  token: string;
}

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function parseOwner(owner: string): Owner | null {
  const m = /^(.*):(\d+):([0-9a-f]+)$/.exec(owner);
  return m ? { host: m[1]!, pid: Number(m[2]), token: m[3]! } : null;
}

/** Whether a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LeaseInfo {
  owner: string | null;
  heartbeat_at: string | null;
}

/** Is the lease held by a live process? (A missing owner or heartbeat is a dead lease.) */
export function leaseAlive(l: LeaseInfo, now = Date.now(), leaseMs = LEASE_MS): boolean {
  if (!l.owner || !l.heartbeat_at) return false;
  const beat = Date.parse(l.heartbeat_at);
  if (!Number.isFinite(beat) || now - beat > leaseMs) return false;
  const o = parseOwner(l.owner);
  if (o && o.host === hostname()) return pidAlive(o.pid);
  return true;
}

/** "pid 123 on host-a, heartbeat 4 s ago" */
export function describeLease(l: LeaseInfo, now = Date.now()): string {
  const o = l.owner ? parseOwner(l.owner) : null;
  const who = o ? `pid ${o.pid} on ${o.host}` : 'another process';
  const ago = l.heartbeat_at ? `, heartbeat ${Math.max(0, Math.round((now - Date.parse(l.heartbeat_at)) / 1000))} s ago` : '';
  return `${who}${ago}`;
}
