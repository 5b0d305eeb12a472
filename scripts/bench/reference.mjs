// The float64 reference forward pass and the tiny test-model generator (engine/reference/bench.ts); build first.
import { runReferenceBench } from '../../dist/engine/reference/bench.js';

await runReferenceBench();
