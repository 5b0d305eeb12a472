/** The bundled engine backend (engine/): being written; see issue 3 item 7. */
import type { RunConfig } from '../config.js';
import type { Backend } from './backend.js';

export async function createBundledBackend(_modelDir: string, _config: RunConfig, _log: (m: string) => void): Promise<Backend> {
  throw new Error('the bundled engine backend is not available yet');
}
