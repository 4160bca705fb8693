import { isHostName, isIpAddress } from './names.js';

/** A host (name or address, IPv6 without brackets) and a port. */
export interface HostPort {
  host: string;
  port: number;
}

/** A URL's scheme, host and port (null when the URL has none): `dsm://H:4120/`, `https://H/`, `dsm_proxy://H:P`. */
export interface Endpoint {
  scheme: string;
  host: string;
  port: number | null;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s/:[\]@]+))(?::(\d{1,5}))?$/;

function valid(host: string, port: number | null): boolean {
  return (isHostName(host) || isIpAddress(host)) && (port === null || (port >= 1 && port <= 65535));
}

/**
 * The one host:port parser: `HOST:PORT`, `[V6]:PORT`, or `HOST` alone when `defaultPort` is given (null: the
 * port is required). Null when it is not of that form.
 */
export function parseHostPort(text: string, defaultPort: number | null = null): HostPort | null {
  const m = HOST_PORT.exec(text.trim());
  if (!m) return null;
  const host = m[1] ?? m[2]!;
  const port = m[3] !== undefined ? Number(m[3]) : defaultPort;
  if (port === null || !valid(host, port)) return null;
  return { host, port };
}

/**
 * Parses `SCHEME://HOST[:PORT][/…]` (any path after the authority is ignored); null when it is not a URL of that form
 * or carries a user name or password.
 */
export function parseEndpoint(url: string): Endpoint | null {
  const m = /^([a-z][a-z0-9+._-]*):\/\/([^/?#]*)(?:[/?#].*)?$/i.exec(url.trim());
  if (!m) return null;
  // A user name or password in the URL is not an endpoint we take (dsa_control takes proxy credentials with -u).
  if (m[2]!.includes('@')) return null;
  const hp = HOST_PORT.exec(m[2]!);
  if (!hp) return null;
  const host = hp[1] ?? hp[2]!;
  const port = hp[3] !== undefined ? Number(hp[3]) : null;
  if (!valid(host, port)) return null;
  return { scheme: m[1]!.toLowerCase(), host, port };
}

/** `HOST:PORT` with brackets around an IPv6 address, as URLs and dsa_control write it. */
export function formatHostPort(hp: HostPort): string {
  return `${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`;
}
