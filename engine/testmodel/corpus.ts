/**
 * The built-in training text of the tiny tokenizer: English prose, competition-style mathematics, a little code
 * and chat-like turns, written for this project. Its only job is to give the BPE trainer realistic pair
 * statistics, so that common words and LaTeX fragments become single tokens.
 */
export const TOKENIZER_CORPUS = String.raw`
The evaluation harness reads a problem, asks the model for an answer, and then checks that answer against the
reference. A good harness never guesses: when the answer cannot be extracted, it says so, and when the model ran
out of tokens, it records that the attempt was truncated. Every number in the report comes with its sample size
and a confidence interval, because a single run on thirty problems is a noisy measurement.

Problem 1. Find the number of ordered pairs of positive integers (a, b) such that a + b = 100 and the greatest
common divisor of a and b is 1.
Solution. We need gcd(a, 100 - a) = gcd(a, 100) = 1, so a must be coprime to 100. The number of such a between
1 and 99 is the value of Euler's totient function at 100, which is 100 * (1 - 1/2) * (1 - 1/5) = 40.
Therefore the answer is \boxed{40}.

Problem 2. Let $x$ and $y$ be real numbers with $x + y = 7$ and $xy = 10$. Compute $x^2 + y^2$.
Solution. We have $x^2 + y^2 = (x + y)^2 - 2xy = 49 - 20 = 29$, so the answer is $\boxed{29}$.

Problem 3. A triangle has side lengths 13, 14 and 15. Find its area.
Solution. The semi-perimeter is $s = (13 + 14 + 15)/2 = 21$. By Heron's formula the area is
$\sqrt{21 \cdot 8 \cdot 7 \cdot 6} = \sqrt{7056} = 84$. The answer is $\boxed{84}$.

Problem 4. How many positive divisors does $2^{4} \cdot 3^{2} \cdot 5$ have?
Solution. The number of divisors is $(4 + 1)(2 + 1)(1 + 1) = 30$. Thus the answer is $\boxed{30}$.

Problem 5. Evaluate the sum $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$ for $n = 2025$.
Solution. The sum equals $\frac{2025 \cdot 2026}{2} = 2025 \cdot 1013 = 2051325$. The final answer is
$\boxed{2051325}$.

Problem 6. Let $f(x) = x^3 - 3x + 1$. Find the number of real roots of $f$.
Solution. The derivative is $f'(x) = 3x^2 - 3$, which vanishes at $x = 1$ and $x = -1$. Since $f(-1) = 3 > 0$ and
$f(1) = -1 < 0$, and the cubic tends to infinity in both directions with opposite signs, the function has three
real roots. The answer is $\boxed{3}$.

Problem 7. In how many ways can the letters of the word LEVEL be arranged?
Solution. There are five letters with L and E each appearing twice, so the count is $\frac{5!}{2! \, 2!} = 30$.

Problem 8. The probability that a fair coin shows heads in each of three tosses is $\left(\frac{1}{2}\right)^3 =
\frac{1}{8}$. The probability of at least one tail is therefore $1 - \frac{1}{8} = \frac{7}{8}$.

Problem 9. Find the remainder when $3^{100}$ is divided by 7.
Solution. The powers of 3 modulo 7 repeat with period 6: 3, 2, 6, 4, 5, 1. Since $100 = 6 \cdot 16 + 4$, the
remainder equals the fourth term of the cycle, which is 4. So the answer is $\boxed{4}$.

Problem 10. A circle of radius $r$ is inscribed in a square of side $2r$. What fraction of the square's area lies
inside the circle? The answer is $\frac{\pi r^2}{4 r^2} = \frac{\pi}{4}$.

The model should think step by step, then put the final answer in a box. When the question asks for an integer
between 0 and 999, the answer must be an integer in that range; a fraction or an expression is marked wrong.
In a matrix $A = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$ the determinant is $\det A = 1 \cdot 4 - 2 \cdot 3
= -2$, and the trace is $\operatorname{tr} A = 5$. The eigenvalues satisfy $\lambda^2 - 5\lambda - 2 = 0$.
If $\sin \theta = \frac{3}{5}$ and $\theta$ is acute, then $\cos \theta = \frac{4}{5}$ and $\tan \theta =
\frac{3}{4}$. The limit $\lim_{x \to 0} \frac{\sin x}{x} = 1$ and the integral $\int_0^1 x^2 \, dx = \frac{1}{3}$.
For every integer $n \geq 1$ we have $n! \leq n^n$, with equality only when $n = 1$. The inequality
$a^2 + b^2 \geq 2ab$ follows from $(a - b)^2 \geq 0$.

def solve(nums):
    """Return the length of the longest strictly increasing subsequence."""
    tails = []
    for x in nums:
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(x)
        else:
            tails[lo] = x
    return len(tails)

if __name__ == "__main__":
    n = int(input())
    values = list(map(int, input().split()))
    print(solve(values))

function passAtK(n, c, k) {
  if (n - c < k) return 1.0;
  let result = 1.0;
  for (let i = n - c + 1; i <= n; i++) result *= 1 - k / i;
  return 1 - result;
}

User: What is the capital of France, and how many people live there?
Assistant: The capital of France is Paris. About two million people live in the city itself, and more than twelve
million in the wider metropolitan area.
User: Please summarise the following document in three sentences.
Assistant: The document describes a long context retrieval test. A few needles, each a short sentence with a key
and a value, are hidden in a haystack of unrelated text. The model must find every needle and report the values
exactly, and the score is the fraction of values it recovers.

The special magic number for the key "silver-river" is 7391. Remember it; you will be asked about it later.
One of the special magic numbers for the key "quiet-harbor" is 2856, and another one is 4410.
What are all the special magic numbers mentioned in the text above? Answer with the numbers only.

Numbers appear everywhere: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 24, 32, 48, 64, 96, 100, 128, 256, 512, 1000,
1024, 2048, 4096, 8192, 2024, 2025, 3.14159, 2.71828, 1e-6, 0.5, 0.25, 0.125, -1, -2, 42, 99, 365, 1000000.
The temperature was 0.6 and the top-p value was 0.95; the maximum number of new tokens was 32768.
Dates like 2025-02-15 and times like 12:30:45 should survive tokenization without any loss.

Once upon a time there was a small robot that liked to count. Every morning it counted the steps from the door to
the window, and every evening it counted them again, in case the room had changed during the day. It never had,
but the robot kept counting, because counting made it feel that the world was in order. One day a visitor asked
why it bothered. The robot answered that a measurement you do not repeat is a measurement you cannot trust.
The visitor laughed, then sat down and began to count the steps too, and found the same number, which pleased
them both more than either would admit.

In the proof below, we first show that the sequence is bounded, then that it is monotone, and finally we conclude
that it converges. Suppose that $a_1 = 1$ and $a_{n+1} = \sqrt{2 + a_n}$ for all $n \geq 1$. By induction,
$a_n < 2$ for every $n$, since $a_1 = 1 < 2$ and $a_n < 2$ implies $a_{n+1} < \sqrt{4} = 2$. Moreover
$a_{n+1} > a_n$ whenever $a_n < 2$, because $2 + a_n > a_n^2$ on that interval. Hence the limit $L$ exists and
satisfies $L = \sqrt{2 + L}$, so $L = 2$.
`;
