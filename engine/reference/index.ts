/** The independent float64 reference forward pass of the DeepSeek-V3.2 architecture (see README.md here). */
export { loadReferenceModel, argmax, RefSession, type RefModel, type ForwardOptions, type ForwardResult } from './model.js';
export { readConfig, parseConfig, ConfigError, HFConfigSchema, type HFConfig, type ModelConfig } from './config.js';
export { Checkpoint, SafetensorsFile, SafetensorsError, decodeFloats, type TensorData, type TensorEntry } from './safetensors.js';
export { tensorLayout, scaleName, type TensorSpec } from './layout.js';
