/** AIME 2024 I and II (30 problems, integer answers 0–999). Data: MathArena's JSONL or a Hugging Face layout (problem/question + answer). */
import { mathCompetitionSuite } from '../common/math-competition.js';

export default mathCompetitionSuite({
  name: 'aime24',
  description: 'AIME 2024 I and II (30 problems, integer answers 0–999)',
  defaultData: 'aime2024/aime2024.jsonl',
  strict: true,
  answerType: 'integer',
});
