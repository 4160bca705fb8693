import { DsaError, ExitCode } from '../errors.js';

/**
 * Characters @vscode/sudo-prompt passes through unharmed. It takes one command string (it runs it
 * through `bash -c "…"` on Linux/macOS and a batch file on Windows), so every argument is checked and
 * quoted here; nothing from a user's input is in it (the paths are the app's and a temp file we named).
 */
const SAFE_POSIX = /^[A-Za-z0-9_\-.,/:=@+ ~\u0080-\uffff]+$/;
const SAFE_WINDOWS = /^[A-Za-z0-9_\-.,/:=@+ ~\\()\u0080-\uffff]+$/;

/** Quotes an argument array into the one command string sudo-prompt takes; refuses unsafe characters. */
export function sudoPromptCommand(args: readonly string[], platform: NodeJS.Platform = process.platform): string {
  const win = platform === 'win32';
  return args
    .map((a) => {
      if (!(win ? SAFE_WINDOWS : SAFE_POSIX).test(a))
        throw new DsaError({
          code: 'prep.elevation.unsafePath',
          messageKey: 'prep.elevation.unsafePath',
          params: { value: a },
          remedyKey: 'prep.elevation.unsafePathRemedy',
          exitCode: ExitCode.failed,
        });
      return win ? `"${a}"` : `'${a}'`;
    })
    .join(' ');
}
