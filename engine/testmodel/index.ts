/** Tiny deterministic test models (spec §13), their tokenizer and checkpoint-damaging helpers. */
export { writeTinyModel, type TinyModelOptions, type HFConfig } from './generate.js';
export { corruptCheckpoint, CORRUPTION_KINDS, DEFAULT_CORRUPT_TENSOR, type CorruptionKind } from './corrupt.js';
export { tinyConfig } from './tiny-config.js';
export { tinySpecialTokenIds, buildTinyTokenizer } from './tokenizer.js';
