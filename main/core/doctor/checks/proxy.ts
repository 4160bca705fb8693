import { readIfExists } from '../../fsx.js';
import { msg } from '../../message.js';
import { decodeText } from '../../textDecode.js';
import { agentConfigPaths } from '../agentFiles.js';
import { proxyApplies, readProxyEnv } from '../probes/proxyEnv.js';
import type { AgentProxy } from '../probes/managerProbe.js';
import type { SystemContext } from '../../system.js';
import { type CheckDef, type CheckOutcome } from '../types.js';
import { proxyRefusal } from './network.js';

const k = msg;

/**
 * Keys of a proxy line that do not name the proxy's address: its credentials (never taken for a host name, looked
 * up in DNS and shown), its port alone, what bypasses it, whether it is on.
 */
const NOT_ADDRESS = /pass|pwd|user|auth|cred|secret|token|key|port|bypass|override|exclu|no_?proxy|enable|type|mode/i;

/** The agent's own proxy setting (`dsm_proxy://` / `relay_proxy://` / a proxy line in its configuration), if any. */
export async function agentProxySetting(sys: SystemContext): Promise<{ value: string; file: string } | null> {
  for (const p of agentConfigPaths(sys)) {
    const data = await readIfExists(sys.path(p));
    if (!data) continue;
    const text = decodeText(data).text;
    const url = /((?:dsm|relay)_proxy:\/\/[^\s"']+)/i.exec(text);
    if (url) return { value: url[1]!, file: p };
    for (const m of text.matchAll(/^\s*([\w.]*proxy[\w.]*)\s*[=:]\s*["']?([^\s"']+)/gim))
      if (!NOT_ADDRESS.test(m[1]!)) return { value: m[2]!, file: p };
  }
  return null;
}

/** Parses a proxy setting (`dsm_proxy://HOST:PORT/`, `http://HOST:PORT`, `HOST:PORT`); null when it names none. */
export function parseProxySetting(value: string, source: string): AgentProxy | null {
  const bare = value.trim().replace(/^(dsm|relay)_proxy:\/\//i, 'http://');
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(bare) ? bare : `http://${bare}`);
    if (!u.hostname || !/^https?:$/.test(u.protocol)) return null;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 8080, source };
  } catch {
    return null;
  }
}

/** The agent's own HTTP proxy (its configuration), as the path the agent takes; null when it connects directly. */
export async function agentProxyOf(sys: SystemContext): Promise<AgentProxy | null> {
  const s = await agentProxySetting(sys);
  return s && !/^socks/i.test(s.value.replace(/^(dsm|relay)_proxy:\/\//i, ''))
    ? parseProxySetting(s.value, s.file)
    : null;
}

/**
 * proxy: the path the agent takes — directly, or through its own proxy (`dsa_control -x`, `--proxy`), whose
 * answer to CONNECT is reported. HTTPS_PROXY is noted, never taken for the agent's path; SOCKS is refused.
 */
export const proxyCheck: CheckDef = {
  id: 'proxy',
  titleKey: 'doctor.title.proxy',
  defaultClass: 'proxy',
  async run(ctx): Promise<CheckOutcome> {
    const env = readProxyEnv(ctx.sys.env);
    const agent = await agentProxySetting(ctx.sys);
    const m = ctx.inputs.manager;
    if (agent && /^socks/i.test(agent.value.replace(/^(dsm|relay)_proxy:\/\//i, '')))
      return {
        status: 'fail',
        class: 'proxy',
        detail: k('doctor.proxy.agentSocks', { value: agent.value, file: agent.file }),
        remedy: k('doctor.proxy.socksRemedy'),
      };
    const envNote =
      env.raw && m && proxyApplies(env, m.host, m.port)
        ? k('doctor.proxy.envNoted', {
            variable: env.variable ?? '',
            value: env.raw,
            noProxy: env.noProxy.join(',') || '—',
          })
        : env.raw
          ? k('doctor.proxy.envExempt', {
              variable: env.variable ?? '',
              value: env.raw,
              noProxy: env.noProxy.join(',') || '—',
            })
          : k('doctor.proxy.envNone');
    const p = ctx.inputs.agentProxy;
    if (!p) return { status: 'pass', detail: k('doctor.proxy.direct', { env: envNote }) };
    const proxy = `${p.host}:${p.port}`;
    if (!m)
      return {
        status: 'pass',
        detail: k('doctor.proxy.agentProxyNoManager', { proxy, source: p.source, env: envNote }),
      };
    const c = await ctx.probes.target({ host: m.host, port: m.port, role: 'manager' }).tcp();
    const base = { proxy, source: p.source, host: m.host, port: m.port, env: envNote };
    if (c?.outcome === 'open')
      return { status: 'pass', detail: k('doctor.proxy.tunnelOpen', { ...base, line: c.tunnel?.statusLine ?? '' }) };
    // The path always goes through the proxy here (the probe has one): its answer, or why there is none.
    return proxyRefusal(ctx, m, c ?? { outcome: 'error', code: 'EIO', ms: 0, address: p.host, proxy: p });
  },
};
