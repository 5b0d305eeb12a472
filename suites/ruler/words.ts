/**
 * Words for keys and word lists: the wonderwords lists RULER samples from (adjectives, nouns, verbs), or —
 * when no word list is present — pseudo-words from a fixed generator, recorded on every item that uses
 * them (`word_source`), so results with the fallback are never mistaken for results with the real lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../common/dataset.js';
import { Rng } from './random.js';

export type WordSource = 'wonderwords' | 'pseudo-words';

export interface WordLists {
  source: WordSource;
  /** Where the lists came from: a directory, or a description of the generator. */
  origin: string;
  adjectives: string[];
  nouns: string[];
  verbs: string[];
}

const FILES = { adjectives: 'adjectivelist.txt', nouns: 'nounlist.txt', verbs: 'verblist.txt' } as const;

function readList(path: string): string[] {
  const words = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
  if (words.length === 0) throw new DatasetError(`${path}: the word list is empty`);
  // Entries may hold a space ("ad hoc", "dump truck"): RULER uses them as they are.
  return words;
}

/** The word lists in `dir`; null when the directory or any of its three files is missing. */
export function readWordLists(dir: string): WordLists | null {
  const paths = Object.values(FILES).map((f) => join(dir, f));
  if (!paths.every((p) => existsSync(p))) return null;
  return {
    source: 'wonderwords',
    origin: dir,
    adjectives: readList(join(dir, FILES.adjectives)),
    nouns: readList(join(dir, FILES.nouns)),
    verbs: readList(join(dir, FILES.verbs)),
  };
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch', 'dr', 'gl', 'pl', 'sh', 'st', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'oo'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'm', 'nd', 'st'];

/** `count` distinct pronounceable lower-case pseudo-words, the same for the same (label, count, avoid). */
export function pseudoWords(label: string, count: number, avoid: ReadonlySet<string> = new Set()): string[] {
  const rng = Rng.derive('dseval pseudo-words v1', label);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    const syllables = 2 + rng.below(2);
    let w = '';
    for (let i = 0; i < syllables; i++) w += rng.pick(ONSETS) + rng.pick(VOWELS) + (i === syllables - 1 ? rng.pick(CODAS) : '');
    if (seen.has(w) || avoid.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

/** Pseudo-word lists the size of wonderwords' (912 adjectives, 6782 nouns, 1042 verbs). */
export function pseudoWordLists(): WordLists {
  return {
    source: 'pseudo-words',
    origin: 'dseval pseudo-word generator v1 (no word list found)',
    adjectives: pseudoWords('adjectives', 912),
    nouns: pseudoWords('nouns', 6782),
    verbs: pseudoWords('verbs', 1042),
  };
}
