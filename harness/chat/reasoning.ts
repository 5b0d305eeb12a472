/**
 * Splitting a generation into its reasoning and its answer. Servers either return the thinking apart
 * (`reasoning_content`, or `reasoning` in newer vLLM) or leave `<think>…</think>` inside the content;
 * DeepSeek templates open the thinking block in the prompt, so the output may hold only the closing tag.
 */

export interface SplitText {
  reasoning: string;
  text: string;
  thinkingUnclosed: boolean;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * @param content   the content the server returned (may contain think tags)
 * @param reasoning the separately returned reasoning, if any
 * @param thinking  whether the prompt put the model in thinking mode (then a missing `</think>` means the
 *                  thinking never closed); null when unknown
 */
export function splitReasoning(content: string, reasoning: string | null, thinking: boolean | null): SplitText {
  if (reasoning !== null && reasoning.length > 0) {
    // The server parsed the thinking out. An empty answer means the close tag never came
    // (servers put the whole output into reasoning when they do not see `</think>`).
    const inner = splitReasoning(content, null, false);
    return {
      reasoning: (inner.reasoning ? `${reasoning}${inner.reasoning}` : reasoning).trim(),
      text: inner.text,
      thinkingUnclosed: inner.text.trim().length === 0,
    };
  }
  const close = content.indexOf(CLOSE);
  if (close >= 0) {
    let head = content.slice(0, close);
    const open = head.indexOf(OPEN);
    if (open >= 0 && head.slice(0, open).trim() === '') head = head.slice(open + OPEN.length);
    return { reasoning: head.trim(), text: content.slice(close + CLOSE.length).trim(), thinkingUnclosed: false };
  }
  const trimmed = content.trimStart();
  if (trimmed.startsWith(OPEN)) {
    return { reasoning: trimmed.slice(OPEN.length).trim(), text: '', thinkingUnclosed: true };
  }
  if (thinking === true) {
    // The prompt opened the thinking block and the model never closed it.
    return { reasoning: content.trim(), text: '', thinkingUnclosed: true };
  }
  return { reasoning: '', text: content.trim(), thinkingUnclosed: false };
}
