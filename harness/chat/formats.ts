/**
 * Client-side chat formats (spec engine.md §8): the exact text a DeepSeek model sees. Used by the bundled
 * engine and by the completions API. Special tokens use U+FF5C "｜" and U+2581 "▁", not ASCII.
 */
import type { ChatMessage, Prompt } from '../types.js';

export const BOS = '<｜begin▁of▁sentence｜>';
export const EOS = '<｜end▁of▁sentence｜>';
export const USER = '<｜User｜>';
export const ASSISTANT = '<｜Assistant｜>';
export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';

export interface ChatFormatOptions {
  thinking: boolean;
}

interface ChatFormat {
  /** Bumped whenever the rendered text changes; part of the run fingerprint. */
  version: string;
  render(messages: ChatMessage[], opts: ChatFormatOptions): string;
}

const systemText = (messages: ChatMessage[]) =>
  messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');

/** The answer part of a past assistant turn: reasoning is dropped from history by both formats. */
const answerOf = (content: string) => {
  const close = content.indexOf(THINK_CLOSE);
  return close >= 0 ? content.slice(close + THINK_CLOSE.length) : content;
};

/**
 * DeepSeek-V3.2 (final) encoding, `encoding_dsv32.py`: the assistant marker and the think marker belong to
 * the user turn; the last user turn gets `<think>` in thinking mode, every other one `</think>`.
 */
const deepseekV32: ChatFormat = {
  version: '1',
  render(messages, { thinking }) {
    const turns = messages.filter((m) => m.role !== 'system');
    const lastUser = turns.map((m) => m.role).lastIndexOf('user');
    let out = BOS + systemText(messages);
    turns.forEach((m, i) => {
      if (m.role === 'user') {
        out += `${USER}${m.content}${ASSISTANT}${thinking && i === lastUser ? THINK_OPEN : THINK_CLOSE}`;
      } else {
        out += `${answerOf(m.content)}${EOS}`;
      }
    });
    return out;
  },
};

/**
 * DeepSeek-V3.1 / V3.2-Exp Jinja template: past assistant turns are `<｜Assistant｜></think>{answer}<EOS>`,
 * and the generation prompt is `<｜Assistant｜>` followed by `<think>` (thinking) or `</think>`.
 */
const deepseekV31: ChatFormat = {
  version: '1',
  render(messages, { thinking }) {
    let out = BOS + systemText(messages);
    for (const m of messages) {
      if (m.role === 'user') out += `${USER}${m.content}`;
      else if (m.role === 'assistant') out += `${ASSISTANT}${THINK_CLOSE}${answerOf(m.content)}${EOS}`;
    }
    const endsWithAssistant = messages.length > 0 && messages[messages.length - 1].role === 'assistant';
    if (!endsWithAssistant) out += ASSISTANT + (thinking ? THINK_OPEN : THINK_CLOSE);
    return out;
  },
};

/** DeepSeek-V3 (December 2024): no thinking mode. */
const deepseekV3: ChatFormat = {
  version: '1',
  render(messages) {
    let out = BOS + systemText(messages);
    for (const m of messages) {
      if (m.role === 'user') out += `${USER}${m.content}`;
      else if (m.role === 'assistant') out += `${ASSISTANT}${m.content}${EOS}`;
    }
    return out + ASSISTANT;
  },
};

const FORMATS: Record<string, ChatFormat> = {
  'deepseek-v3.2': deepseekV32,
  'deepseek-v3.1': deepseekV31,
  'deepseek-v3': deepseekV3,
};

export function chatFormatNames(): string[] {
  return Object.keys(FORMATS);
}

function formatNamed(name: string): ChatFormat {
  const f = FORMATS[name];
  if (!f) throw new Error(`unknown chat format "${name}"; known: ${chatFormatNames().join(', ')}`);
  return f;
}

export function chatFormatVersion(name: string): string {
  return formatNamed(name).version;
}

/** The full prompt text for a model: chat messages through the format, plus any answer prefix to continue. */
export function renderChatPrompt(name: string, prompt: Prompt, opts: ChatFormatOptions): string {
  if (prompt.kind === 'text') return prompt.text;
  return formatNamed(name).render(prompt.messages, opts) + (prompt.assistantPrefix ?? '');
}
