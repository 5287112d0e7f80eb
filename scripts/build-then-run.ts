/*
 * npm start, npm run web and npm run site: build keel (quietly, every module type-checked, as npm
 * run build does), then run the script named first — emulator/cli.ts, web.ts, site.ts — in this same process with
 * the arguments after it. Asked for --help, the script prints it without a build first (after
 * a line saying what npm start adds, where the script's usage names another command).
 *
 *   node --expose-gc --experimental-vm-modules --import tsx scripts/build-then-run.ts emulator/cli.ts --mem 16M
 *
 * A build error is printed as npm run build prints it (`build: ...`), with its exit status 1,
 * and nothing is run.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, BuildError, PROJECT_ROOT } from '../build.ts';

/** What the script after this one is asked: true for --help or -h. */
const asksForHelp = (args: string[]) => args.some((argument) => argument === '--help' || argument === '-h');

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('build-then-run: which script to run? (scripts/build-then-run.ts SCRIPT [ARG...])');
  process.exit(2);
}
/** What the script's own usage does not say when it is started this way. */
const PREAMBLES: Record<string, string> = {
  'emulator/cli.ts': 'npm start builds keel (as npm run build does), then boots it as npm run boot does; it takes the options of npm run boot:\n',
  'site.ts': 'npm run site builds keel (as npm run build does), then writes the site from it:\n',
};

if (asksForHelp(args)) {
  if (PREAMBLES[script]) console.log(PREAMBLES[script]);
} else {
  try {
    await build({ quiet: true, typeCheck: true });
  } catch (error) {
    console.error(error instanceof BuildError ? `build: ${error.message}` : error);
    process.exit(1);
  }
}
const entry = path.resolve(PROJECT_ROOT, script);
// The script reads its arguments from process.argv as if it had been started itself.
process.argv = [process.argv[0]!, entry, ...args];
await import(pathToFileURL(entry).href);
