/** AIME 2025 I and II (30 problems, integer answers 0–999). Data: MathArena's JSONL or a Hugging Face layout (problem/question + answer). */
import { mathCompetitionSuite } from '../common/math-competition.js';

export default mathCompetitionSuite({
  name: 'aime25',
  description: 'AIME 2025 I and II (30 problems, integer answers 0–999)',
  defaultData: 'aime2025/aime2025.jsonl',
  strict: true,
  answerType: 'integer',
  // AIME I: Thursday 6 February 2025; AIME II: Wednesday 12 February 2025.
  releaseDates: { default: '2025-02-06', 'AIME 2025 I': '2025-02-06', 'AIME 2025 II': '2025-02-12' },
});
