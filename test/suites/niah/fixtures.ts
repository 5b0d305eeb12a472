/** A small essay directory for NIAH tests that must run without the real data. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../../suites/ruler/random.js';

const NOUNS = 'startup founder investor market product idea city program language essay school problem company user'.split(' ');
const VERBS = 'builds finds changes makes tries learns writes grows solves ignores'.split(' ');
const ADJS = 'small new hard good strange early rich simple'.split(' ');

/** Writes three .txt "essays" (paragraphs of plain sentences, some ending in ? or !) and returns the folder. */
export function writeEssays(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dseval-niah-')), 'essays');
  mkdirSync(dir);
  const rng = new Rng(11);
  for (const name of ['b.txt', 'a.txt', 'c.txt']) {
    const paragraphs: string[] = [];
    for (let p = 0; p < 12; p++) {
      const sentences: string[] = [];
      for (let s = 0; s < 6; s++) {
        const end = rng.pick(['.', '.', '.', '?', '!']);
        sentences.push(`The ${rng.pick(ADJS)} ${rng.pick(NOUNS)} ${rng.pick(VERBS)} a ${rng.pick(ADJS)} ${rng.pick(NOUNS)} in ${1990 + rng.below(30)}${end}`);
      }
      // Lines wrapped like the gkamradt files: some sentences continue on the next line.
      paragraphs.push(sentences.join(rng.pick([' ', '  ', '\n'])));
    }
    writeFileSync(join(dir, name), `${name.toUpperCase()} ESSAY\n\n${paragraphs.join('\n\n')}\n`);
  }
  return dir;
}
