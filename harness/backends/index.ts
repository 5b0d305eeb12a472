/** Creates the backend a `--model` string names: openai:<base-url> or bundled:<model-dir>. */
import type { RunConfig } from '../config.js';
import type { Backend } from './backend.js';
import { createOpenAIBackend } from './openai.js';

export async function createBackend(config: RunConfig, log: (message: string) => void): Promise<Backend> {
  const colon = config.model.indexOf(':');
  const kind = config.model.slice(0, colon);
  const target = config.model.slice(colon + 1);
  if (kind === 'openai') {
    const apiKey = process.env[config.apiKeyEnv] ?? null;
    return createOpenAIBackend({
      baseUrl: target,
      modelName: config.modelName,
      api: config.api,
      chatFormat: config.chatFormat,
      apiKey,
      apiKeyEnv: config.apiKeyEnv,
      timeoutMs: config.timeout * 1000,
      retry: { retries: config.retries, baseMs: config.retryBaseMs, maxMs: 120_000 },
      serverN: config.serverN,
      stream: config.stream,
      log,
    });
  }
  if (kind === 'bundled') {
    const { createBundledBackend } = await import('./bundled.js');
    return createBundledBackend(target, config, log);
  }
  throw new Error(`unknown model kind "${kind}" in --model ${config.model} (use openai:<base-url> or bundled:<model-dir>)`);
}
