/** AIME 2024 I and II (30 problems, integer answers 0–999). Data: MathArena's JSONL or a Hugging Face layout (problem/question + answer). */
import { mathCompetitionSuite } from '../common/math-competition.js';

export default mathCompetitionSuite({
  name: 'aime24',
  description: 'AIME 2024 I and II (30 problems, integer answers 0–999)',
  defaultData: 'aime2024/aime2024.jsonl',
  strict: true,
  answerType: 'integer',
  // AIME I: Thursday 1 February 2024; AIME II: Wednesday 7 February 2024.
  releaseDates: { default: '2024-02-01', 'AIME 2024 I': '2024-02-01', 'AIME 2024 II': '2024-02-07' },
});
