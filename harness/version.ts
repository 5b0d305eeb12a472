/** dseval's own version (package.json) and the versions recorded with every run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

export const dsevalVersion: string = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;

export function baseVersions(): Record<string, string> {
  return { dseval: dsevalVersion, node: process.version, platform: `${process.platform}-${process.arch}` };
}
