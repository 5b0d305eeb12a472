/**
 * Where files of the project live, whether code runs compiled (dist/…) or from source under vitest.
 * Worker threads and child processes need compiled JavaScript; templates and other assets stay in the
 * source tree and are read from there.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'harness'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`dseval: cannot find the project root above ${start}`);
    dir = up;
  }
}

/** The project root (the folder holding package.json). */
export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** Path of a module's folder relative to the root, with any leading dist/ removed ("judges/math"). */
function sourceRelDir(moduleUrl: string): string {
  const rel = relative(projectRoot, dirname(fileURLToPath(moduleUrl)));
  return rel === 'dist' ? '' : rel.startsWith(`dist${sep}`) ? rel.slice(5) : rel;
}

/** An asset beside a module, in the source tree (templates, SQL, data the project ships). */
export function assetPath(moduleUrl: string, name: string): string {
  return join(projectRoot, sourceRelDir(moduleUrl), name);
}

/**
 * The compiled JavaScript file `name` (e.g. "worker.js") beside a module, under dist/. Worker threads
 * load this; `npm run build` (run by `npm install` and `npm test`) produces it.
 */
export function compiledPath(moduleUrl: string, name: string): string {
  const path = join(projectRoot, 'dist', sourceRelDir(moduleUrl), name);
  if (!existsSync(path)) throw new Error(`dseval: ${path} is missing; run \`npm run build\``);
  return path;
}

/** The engine executable built by `npm install` (engine/Makefile). */
export const engineBinary = join(projectRoot, 'engine', 'build', 'dseval-engine');
