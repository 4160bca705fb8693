import { fail } from '../errors.js';
import { msg } from '../message.js';

/**
 * Characters @vscode/sudo-prompt passes through unharmed. It takes one command string (it runs it
 * through `bash -c "…"` on Linux/macOS and a batch file on Windows), so every argument is checked and
 * quoted here. Only the app's own paths and the args file we created are on this line: whatever the user
 * gave (activation file, hosts file, host name) travels inside the args file.
 */
const SAFE_POSIX = /^[A-Za-z0-9_\-.,/:=@+ ~\u0080-\uffff]+$/;
const SAFE_WINDOWS = /^[A-Za-z0-9_\-.,/:=@+ ~\\()\u0080-\uffff]+$/;

/** Quotes an argument array into the one command string sudo-prompt takes; refuses unsafe characters. */
export function sudoPromptCommand(args: readonly string[], platform: NodeJS.Platform = process.platform): string {
  const win = platform === 'win32';
  return args
    .map((a) => {
      if (!(win ? SAFE_WINDOWS : SAFE_POSIX).test(a))
        throw fail('prep.elevation.unsafePath', msg('prep.elevation.unsafePath', { value: a }), {
          remedy: msg('prep.elevation.unsafePathRemedy'),
        });
      return win ? `"${a}"` : `'${a}'`;
    })
    .join(' ');
}

/** Characters a shell reads literally; an argument made only of these is shown as is. */
const PLAIN = /^[A-Za-z0-9_\-.,/:=@+%]+$/;

/**
 * A command line a person copies into a terminal: arguments quoted only where needed, POSIX style
 * (`'…'`, a `'` inside as `'\''`) or, on Windows, PowerShell style (`'…'`, a `'` inside doubled).
 */
export function shellCommand(args: readonly string[], platform: NodeJS.Platform = process.platform): string {
  return args
    .map((a) => {
      if (PLAIN.test(a)) return a;
      return platform === 'win32' ? `'${a.replaceAll("'", "''")}'` : `'${a.replaceAll("'", `'\\''`)}'`;
    })
    .join(' ');
}
