import { redactText } from '../../secrets.js';
import { msg, type Message } from '../../message.js';
import { asAdmin, dsaControl, restartAgentCommand } from '../../platformText.js';
import { agentLogPaths, readTextTail, systemPathOf, type FileSkip } from '../agentFiles.js';
import { type CheckDef, type CheckOutcome, type FailClass } from '../types.js';

/** Bytes read from the end of each log. */
export const LOG_TAIL_BYTES = 256 * 1024;

/** A known failure line of the agent's log and what it means. */
export interface LogSignature {
  id: string;
  pattern: RegExp;
  class: FailClass;
}

/** Signatures whose remedy speaks of Cloudn's order form or portal hosts file, with a Cloud One wording too. */
const CLOUD_ONE_WORDED = new Set(['resolve', 'alreadyRegistered']);

/** Known failure signatures, each mapped to its cause and remedy (`doctor.agentLog.sig.<id>` / `…Remedy`). */
export const LOG_SIGNATURES: LogSignature[] = [
  {
    // `CHTTPServer::AcceptSSL(<IP>:<PORT>) - BIO_do_handshake() failed`: the manager's connection TO the agent (inbound
    // 4118) failed — Trend files it under "Blocked port", not TLS inspection.
    id: 'inboundBlocked',
    pattern: /CHTTPServer::AcceptSSL\b.*BIO_do_handshake\(\) failed/i,
    class: 'tcp',
  },
  {
    // "403 - Forbidden - untrusted peer": the manager does not trust the identity this agent presents — not its token.
    id: 'untrustedPeer',
    pattern: /untrusted peer/i,
    class: 'agent',
  },
  {
    // The agent's proxy, not the manager (libcurl's words: "Received HTTP code 407 from proxy after CONNECT").
    id: 'proxy',
    pattern:
      /HTTP code \d{3} from proxy|could ?n[o']t resolve proxy|Proxy Authentication Required|HTTP Status:? ?407\b/i,
    class: 'proxy',
  },
  {
    id: 'tlsHandshake',
    pattern: /BIO_do_handshake\(\) failed|SSL_connect.*fail|handshake failure|SSL routines/i,
    class: 'tls',
  },
  { id: 'certTime', pattern: /certificate (has expired|is not yet valid)|certificate not yet valid/i, class: 'clock' },
  { id: 'resolve', pattern: /Could(?: not|n't) resolve|Name or service not known|getaddrinfo.*fail/i, class: 'dns' },
  {
    id: 'unreachable',
    pattern:
      /Unable to reach (?:a|the) manager|Failed to contact (?:the )?manager|Couldn't connect to server|Connection (?:refused|timed out)|\bEvent(?: ID)?:? ?401[12]\b|\b401[12]\b.*(?:Contact Manager|Heartbeat)/i,
    class: 'tcp',
  },
  {
    id: 'alreadyRegistered',
    pattern: /already (?:registered|activated)|HTTP Status:? ?409|duplicate (?:computer|host ?name)/i,
    class: 'conflict',
  },
  {
    id: 'activationRefused',
    pattern:
      /agent[- ]initiated activation.*(?:not allowed|disabled|denied)|activation (?:failed|refused|rejected|denied)|HTTP Status:? ?403|invalid (?:activation )?token|tenant.*(?:invalid|not found)/i,
    class: 'agent',
  },
];

/** The newest line of a log tail matching a known signature, with its line number within the tail. */
export function lastSignature(text: string): { sig: LogSignature; line: string; lineNo: number } | null {
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const sig = LOG_SIGNATURES.find((s) => s.pattern.test(lines[i]!));
    if (sig) return { sig, line: lines[i]!, lineNo: i + 1 };
  }
  return null;
}

const k = msg;

/** A log that is there but could not be read, and why: "PATH (a named pipe (FIFO))". */
function unreadRef(at: string, skip: FileSkip): Message {
  const why =
    skip.reason === 'not-a-file'
      ? k(skip.kind === 'directory' || !skip.kind ? 'doctor.agentLog.why.directory' : `fsx.kind.${skip.kind}`)
      : skip.reason === 'link'
        ? k('doctor.agentLog.why.link', { target: skip.target ?? '?' })
        : skip.reason === 'too-large'
          ? k('doctor.agentLog.why.tooLarge')
          : k('doctor.agentLog.why.error', { code: skip.code ?? '?' });
  return k('doctor.agentLog.unreadItem', { file: at, why });
}

/** agent.log: the tail of the agent's logs matched against known failure signatures. */
export const agentLogCheck: CheckDef = {
  id: 'agent.log',
  titleKey: 'doctor.title.agentLog',
  defaultClass: 'agent',
  async run(ctx): Promise<CheckOutcome> {
    const read: string[] = [];
    const denied: string[] = [];
    // Logs that are there but could not be read (a pipe, socket, device or folder in a log's place, a link, a
    // read error): never "no agent log", and never a clean log either.
    const unread: Message[] = [];
    let newest: { sig: LogSignature; line: string; lineNo: number; file: string; mtime: number } | null = null;
    for (const p of agentLogPaths(ctx.sys)) {
      const tail = await readTextTail(ctx.sys.root, ctx.sys.path(p), LOG_TAIL_BYTES);
      if (!tail.ok) {
        const at = systemPathOf(ctx.sys, tail.at);
        if (tail.reason === 'permission' && !denied.includes(at)) denied.push(at);
        else if (tail.reason !== 'missing' && tail.reason !== 'permission') unread.push(unreadRef(at, tail));
        continue;
      }
      read.push(p);
      const hit = lastSignature(tail.text);
      if (hit && (!newest || tail.mtimeMs > newest.mtime)) newest = { ...hit, file: p, mtime: tail.mtimeMs };
    }
    const windows = ctx.sys.os === 'windows';
    if (!newest && unread.length > 0)
      return {
        status: 'warn',
        detail: k(read.length ? 'doctor.agentLog.partlyUnread' : 'doctor.agentLog.unread', {
          unread: unread.reduce((a, b) => k('doctor.agentLog.listJoin', { a, b })),
          files: read.join(', '),
          denied: denied.join(', '),
        }),
        remedy: k(windows ? 'doctor.agentLog.unreadRemedyWindows' : 'doctor.agentLog.unreadRemedy', {
          restart: asAdmin(ctx.platform, restartAgentCommand(ctx.platform)),
        }),
      };
    if (!newest && denied.length > 0)
      return {
        status: 'warn',
        detail: k(read.length ? 'doctor.agentLog.partlyDenied' : 'doctor.agentLog.denied', {
          files: denied.join(', '),
          read: read.join(', '),
        }),
        remedy: k(windows ? 'doctor.agentLog.deniedRemedyWindows' : 'doctor.agentLog.deniedRemedy'),
      };
    if (read.length === 0)
      return { status: 'skip', detail: k('doctor.agentLog.none', { files: agentLogPaths(ctx.sys)[0]! }) };
    if (!newest) return { status: 'pass', detail: k('doctor.agentLog.clean', { files: read.join(', ') }) };
    const line = redactText(newest.line.trim(), ctx.inputs.secrets ?? []).slice(0, 300);
    // The reset a remedy asks for, as this platform runs it (dsa_control.cmd in an administrator PowerShell…).
    const reset = dsaControl(ctx.platform, ['-r']);
    return {
      status: 'fail',
      class: newest.sig.class,
      detail: k('doctor.agentLog.found', {
        file: newest.file,
        line,
        cause: k(`doctor.agentLog.sig.${newest.sig.id}`),
      }),
      // A remedy naming the manager needs its address; without one it says "the manager" (never an empty name).
      // Cloud One has no order form and no portal hosts file: its own wording where the Cloudn one would mislead.
      remedy:
        ctx.inputs.manager?.saas && CLOUD_ONE_WORDED.has(newest.sig.id)
          ? k(`doctor.agentLog.sig.${newest.sig.id}RemedyCloudOne`, { host: ctx.inputs.manager.host, reset })
          : ctx.inputs.manager?.host
            ? k(`doctor.agentLog.sig.${newest.sig.id}Remedy`, { host: ctx.inputs.manager.host, reset })
            : k(`doctor.agentLog.sig.${newest.sig.id}RemedyNoHost`, { reset }),
    };
  },
};
