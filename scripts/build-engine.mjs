// Builds the native engine (engine/Makefile) with the machine's g++ and make.
// Runs from `npm install` (prepare); a missing Makefile means the engine is not part of this checkout yet.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

const makefile = new URL('../engine/Makefile', import.meta.url);
if (!existsSync(makefile)) {
  console.log('engine: no engine/Makefile, nothing to build');
  process.exit(0);
}
const jobs = String(Math.max(1, cpus().length));
const r = spawnSync('make', ['-C', new URL('../engine', import.meta.url).pathname, `-j${jobs}`], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('engine: build failed (see the compiler output above)');
  process.exit(r.status ?? 1);
}
