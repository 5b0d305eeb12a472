/**
 * Code extraction with LiveCodeBench's rule (lcb_runner extract_code, chat models): the program is the text
 * between the last two lines that contain three backticks; with fewer than two such lines there is no program.
 * The language tag on the opening fence is ignored, and so is any prose after the closing fence.
 */
export function extractCode(text: string): string | null {
  const lines = text.split('\n');
  const fences: number[] = [];
  lines.forEach((line, i) => {
    if (line.includes('```')) fences.push(i);
  });
  if (fences.length < 2) return null;
  const open = fences[fences.length - 2];
  const close = fences[fences.length - 1];
  return lines.slice(open + 1, close).join('\n');
}
