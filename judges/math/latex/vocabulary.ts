/** Word lists the grammar consults: functions, units and separator words. */

/** LaTeX function commands → mathjs function names. */
export const FUNCTION_COMMANDS: Record<string, string> = {
  sin: 'sin', cos: 'cos', tan: 'tan', sec: 'sec', csc: 'csc', cot: 'cot', arcsin: 'asin', arccos: 'acos', arctan: 'atan',
  sinh: 'sinh', cosh: 'cosh', tanh: 'tanh', log: 'log', ln: 'log', lg: 'log10', exp: 'exp', det: 'det',
};
/** Inverse of a trig function written with ^{-1}. */
export const INVERSE: Record<string, string> = { sin: 'asin', cos: 'acos', tan: 'atan', sec: 'asec', csc: 'acsc', cot: 'acot' };
/** Multi-argument functions written with parentheses (`\gcd(a, b)`, `\max(…)`). */
export const LIST_FUNCTIONS: Record<string, string> = { max: 'max', min: 'min', gcd: 'gcd', lcm: 'lcm' };

/** Plain-text words that name functions or constants when a model writes without LaTeX. */
export const PLAIN_FUNCTIONS: Record<string, string> = {
  sqrt: 'sqrt', sin: 'sin', cos: 'cos', tan: 'tan', log: 'log', ln: 'log', exp: 'exp', abs: 'abs', cbrt: 'cbrt',
  gcd: 'gcd', lcm: 'lcm', max: 'max', min: 'min', floor: 'floor', ceil: 'ceil', sec: 'sec', csc: 'csc', cot: 'cot',
  arcsin: 'asin', arccos: 'acos', arctan: 'atan',
};
export const PLAIN_CONSTANTS: Record<string, string> = { pi: 'pi', inf: 'Infinity', infty: 'Infinity', infinity: 'Infinity' };

export const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'theta', 'lambda', 'mu', 'sigma', 'phi', 'varphi', 'omega',
  'tau', 'rho', 'epsilon', 'varepsilon', 'eta', 'zeta', 'xi', 'psi', 'chi', 'kappa', 'nu', 'Delta', 'Gamma', 'Theta',
  'Lambda', 'Sigma', 'Phi', 'Omega', 'Psi', 'Pi']);

/** Single letters that are functions when directly followed by "(": f(x), g(2), h(t). */
export const FUNCTION_LETTERS = new Set(['f', 'g', 'h']);

/**
 * Unit and counting words dropped after a number at the end of a value ("125 miles", "35 cm",
 * "28 percent"). Longer words that are not listed are dropped too when separated from the number by
 * a space ("1 papers"); these short ones are also recognised when written against it ("10cm").
 */
export const UNIT_WORDS = new Set(['m', 'cm', 'mm', 'km', 'g', 'kg', 'mg', 's', 'sec', 'min', 'h', 'hr', 'hrs', 'ft', 'in',
  'yd', 'mi', 'mph', 'kph', 'l', 'ml', 'L', 'mL', 'lb', 'lbs', 'oz', 'deg', 'pct', 'units', 'unit', 'sq', 'cu', 'rad',
  'percent', 'percentage', 'degrees', 'degree', 'dollars', 'dollar', 'cents', 'cent', 'yuan', 'euros', 'euro', 'meters',
  'meter', 'metres', 'metre', 'miles', 'mile', 'feet', 'foot', 'inches', 'inch', 'seconds', 'second', 'minutes', 'minute',
  'hours', 'hour', 'days', 'day', 'years', 'year', 'ways', 'way', 'points', 'point', 'people', 'times', 'square', 'cubic',
  'radians', 'radian', 'grams', 'gram', 'kilograms', 'liters', 'litres', 'km/h', 'yards', 'yard', 'weeks', 'months']);

/** Words and \text{…} contents that separate values in a list. */
export const SEPARATOR_WORDS = new Set(['and', 'or', 'also', 'as well as', 'and also', 'or also', ',', ';', 'et', 'und', 'y']);

export function isSeparatorText(text: string): boolean {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  return t === '' ? false : SEPARATOR_WORDS.has(t) || /^(,|;)?\s*(and|or)\s*(,)?$/.test(t);
}
