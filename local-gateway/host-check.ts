/**
 * Which `Host` a request may name. A local server that answers any Host can be read by any web
 * page through DNS rebinding (a name the attacker controls, re-pointed at 127.0.0.1): the gateway
 * answers only the address it is bound to, loopback names, and the hosts it is told to allow.
 */
import * as os from 'os';

const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

/** A loopback name or address: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name);
}

/** A wildcard bind address (every interface). */
function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** The names a gateway bound to `bound` answers to, besides loopback names. */
export function allowedHosts(bound: string, extra: readonly string[] = []): Set<string> {
  const names = new Set([bound.toLowerCase(), ...extra.map((h) => h.toLowerCase())]);
  if (isWildcard(bound)) {
    // Bound to every interface: the machine's own addresses and name are what clients use.
    names.add(os.hostname().toLowerCase());
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return names;
}

/** The host part of a `Host` header (`name:port`, `[v6]:port`), without a fully qualified name's final dot. */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(header);
  if (bracketed) return bracketed[1];
  return header.replace(/:\d+$/, '').replace(/\.$/, '');
}

/** Whether a request's `Host` header may be answered (none at all: an HTTP/1.0 client, allowed). */
export function hostAllowed(header: string | undefined, allowed: Set<string>): boolean {
  if (header === undefined) return true;
  const name = hostName(header.trim()).toLowerCase();
  return isLoopback(name) || allowed.has(name);
}
