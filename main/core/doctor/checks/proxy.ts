import { readIfExists } from '../../fsx.js';
import { agentConfigPaths } from '../agentFiles.js';
import { bypassesProxy, readProxyEnv } from '../probes/proxyEnv.js';
import type { SystemContext } from '../../system.js';
import { textRef, type CheckDef, type CheckOutcome } from '../types.js';

const k = textRef;

/** The agent's own proxy setting (`dsm_proxy://` / `relay_proxy://` / a proxy line in its configuration), if any. */
export async function agentProxySetting(sys: SystemContext): Promise<{ value: string; file: string } | null> {
  for (const p of agentConfigPaths(sys)) {
    const data = await readIfExists(sys.path(p));
    if (!data) continue;
    const text = data.toString('utf8');
    const m =
      /((?:dsm|relay)_proxy:\/\/[^\s"']+)/i.exec(text) ?? /^\s*[\w.]*proxy[\w.]*\s*[=:]\s*["']?([^\s"']+)/im.exec(text);
    if (m) return { value: m[1]!, file: p };
  }
  return null;
}

/** proxy: HTTPS_PROXY / NO_PROXY and the agent's own proxy; whether the manager bypasses it; SOCKS is refused. */
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
    if (env.raw && env.scheme?.startsWith('socks'))
      return {
        status: 'fail',
        class: 'proxy',
        detail: k('doctor.proxy.envSocks', { variable: env.variable ?? '', value: env.raw }),
        remedy: k('doctor.proxy.socksRemedy'),
      };
    const agentText = agent
      ? k('doctor.proxy.agentSet', { value: agent.value, file: agent.file })
      : k('doctor.proxy.agentNone');
    if (!env.raw) return { status: 'pass', detail: k('doctor.proxy.noEnv', { agent: agentText }) };
    const noProxy = env.noProxy.join(',') || '—';
    if (!m)
      return {
        status: 'pass',
        detail: k('doctor.proxy.envNoManager', {
          variable: env.variable ?? '',
          value: env.raw,
          noProxy,
          agent: agentText,
        }),
      };
    if (bypassesProxy(env, m.host, m.port))
      return {
        status: 'pass',
        detail: k('doctor.proxy.bypassed', {
          variable: env.variable ?? '',
          value: env.raw,
          host: m.host,
          noProxy,
          agent: agentText,
        }),
      };
    return {
      status: 'warn',
      class: 'proxy',
      detail: k('doctor.proxy.applies', {
        variable: env.variable ?? '',
        value: env.raw,
        host: m.host,
        noProxy,
        agent: agentText,
      }),
      remedy: k(agent ? 'doctor.proxy.appliesRemedyAgentSet' : 'doctor.proxy.appliesRemedy', {
        host: m.host,
        port: m.port,
        proxyHost: env.host ?? '',
        proxyPort: env.port ?? '',
      }),
    };
  },
};
