// `npm run bench`: runs every benchmark under scripts/bench/ (each prints its own medians and ratios).
// Pass names to run a subset: `npm run bench -- math-judge code-judge`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const wanted = process.argv.slice(2);
const entries = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
let failed = 0;
for (const f of entries) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed += 1;
    console.log(`(${f} exited with ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
