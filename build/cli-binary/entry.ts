// Entry of the single-file CLI (bundled to one CommonJS script for Node's single executable application support).
// main/cli.ts ends with a top-level `await main();` (CommonJS has none); the bundler drops that one statement
// (build-cli-binary.mjs, checked) and the call happens here instead, with the same outcome for an uncaught error.
import { main } from '../../main/cli.js';

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
