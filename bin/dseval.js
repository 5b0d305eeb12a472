#!/usr/bin/env node
// The dseval command: runs the compiled CLI (built by `npm install`, see package.json "prepare").
import { existsSync } from 'node:fs';
const cli = new URL('../dist/harness/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('dseval: dist/ is missing; run `npm install` (or `npm run build`) first');
  process.exit(2);
}
await import(cli.href);
