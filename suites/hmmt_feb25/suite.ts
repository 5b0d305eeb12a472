/** HMMT February 2025 (30 problems; integers, fractions, radicals, π, factorials, unordered pairs). Data: MathArena's JSONL or a Hugging Face layout (problem/question + answer). */
import { mathCompetitionSuite } from '../common/math-competition.js';

export default mathCompetitionSuite({
  name: 'hmmt_feb25',
  description: 'HMMT February 2025 (30 problems; integers, fractions, radicals, π, factorials, unordered pairs)',
  defaultData: 'hmmt_feb_2025/hmmt_feb_2025.jsonl',
  strict: false,
  answerType: 'expression',
  // The February tournament: Saturday 15 February 2025.
  releaseDates: { default: '2025-02-15' },
});
