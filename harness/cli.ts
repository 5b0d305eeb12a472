/** The dseval command line: one module per command group under harness/commands/. */
import { Command } from 'commander';
import { registerRun } from './commands/run.js';
import { registerInspect } from './commands/inspect.js';
import { registerDemo } from './commands/demo.js';
import { registerCompare } from './commands/compare.js';
import { registerReport } from './commands/report.js';
import { registerGate } from './commands/gate.js';
import { registerLeaderboard } from './commands/leaderboard.js';
import { registerExport } from './commands/export.js';
import { dsevalVersion } from './version.js';

const program = new Command();
program
  .name('dseval')
  .description('Evaluate DeepSeek-V3.2-class models: AIME, HMMT, LiveCodeBench, RULER, NIAH — bundled engine or any OpenAI-compatible server')
  .version(dsevalVersion)
  .showHelpAfterError();

registerRun(program);
registerInspect(program);
registerDemo(program);
registerCompare(program);
registerReport(program);
registerGate(program);
registerLeaderboard(program);
registerExport(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`dseval: ${process.env.DSEVAL_DEBUG ? ((e as Error).stack ?? e) : ((e as Error).message ?? e)}\n`);
  process.exitCode = 1;
}
