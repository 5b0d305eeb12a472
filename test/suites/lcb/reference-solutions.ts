/**
 * Reference solutions written by the project for problems of ../shared/data/livecodebench, each with the
 * verdict LCB's rules give it on the public tests (each confirmed by running LiveCodeBench's own lcb_runner on
 * it). Some "sloppy" ones pass only because LCB compares numbers as Decimals and strips whitespace — exactly
 * the behaviour that must be reproduced.
 */
export interface Reference {
  problem: string;
  name: string;
  code: string;
  verdict: 'AC' | 'WA' | 'RE';
}

export const REFERENCES: Reference[] = [
  // ── stdin (AtCoder) ──
  { problem: 'abc365_a', name: 'leap-year rule', verdict: 'AC', code: 'y = int(input())\nprint(366 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 365)' },
  { problem: 'abc365_a', name: 'forgets the century rule', verdict: 'WA', code: 'y = int(input())\nprint(366 if y % 4 == 0 else 365)' },
  {
    problem: 'abc365_b',
    name: 'sorts indices by value',
    verdict: 'AC',
    code: 'def main():\n    n = int(input())\n    a = list(map(int, input().split()))\n    order = sorted(range(n), key=lambda i: -a[i])\n    print(order[1] + 1)\n\nif __name__ == "__main__":\n    main()',
  },
  { problem: 'abc365_b', name: 'prints the largest', verdict: 'WA', code: 'import sys\ndata = sys.stdin.read().split()\na = list(map(int, data[1:]))\nprint(a.index(max(a)) + 1)' },
  {
    problem: 'abc366_b',
    name: 'vertical writing',
    verdict: 'AC',
    code: 'n = int(input())\ns = [input() for _ in range(n)]\nm = max(map(len, s))\nfor j in range(m):\n    row = "".join(s[i][j] if j < len(s[i]) else "*" for i in reversed(range(n)))\n    print(row.rstrip("*"))',
  },
  {
    problem: 'abc366_b',
    name: 'vertical writing with trailing spaces and blank lines after',
    verdict: 'AC',
    code: 'n = int(input())\ns = [input() for _ in range(n)]\nm = max(map(len, s))\nfor j in range(m):\n    row = "".join(s[i][j] if j < len(s[i]) else "*" for i in reversed(range(n)))\n    print(row.rstrip("*") + "   ")\nprint()\nprint()',
  },
  {
    problem: 'abc366_b',
    name: 'keeps the trailing *',
    verdict: 'WA',
    code: 'n = int(input())\ns = [input() for _ in range(n)]\nm = max(map(len, s))\nfor j in range(m):\n    print("".join(s[i][j] if j < len(s[i]) else "*" for i in reversed(range(n))))',
  },
  { problem: 'abc367_b', name: 'strips zeros', verdict: 'AC', code: 'x = input().strip()\nif "." in x:\n    x = x.rstrip("0").rstrip(".")\nprint(x)' },
  { problem: 'abc367_b', name: 'echoes the input (equal as Decimals)', verdict: 'AC', code: 'print(input())' },
  { problem: 'abc367_b', name: 'truncates to an integer', verdict: 'WA', code: 'print(int(float(input())))' },
  { problem: 'abc367_b', name: 'crashes', verdict: 'RE', code: 'print(int(input()))' },
  // ── call-based (LeetCode) ──
  {
    problem: '3533',
    name: 'walks the snake',
    verdict: 'AC',
    code: 'class Solution:\n    def finalPositionOfSnake(self, n: int, commands: List[str]) -> int:\n        r = c = 0\n        for cmd in commands:\n            dr, dc = {"UP": (-1, 0), "DOWN": (1, 0), "LEFT": (0, -1), "RIGHT": (0, 1)}[cmd]\n            r, c = r + dr, c + dc\n        return r * n + c',
  },
  {
    problem: '3533',
    name: 'swaps UP and DOWN',
    verdict: 'WA',
    code: 'class Solution:\n    def finalPositionOfSnake(self, n: int, commands: List[str]) -> int:\n        r = c = 0\n        for cmd in commands:\n            dr, dc = {"UP": (1, 0), "DOWN": (-1, 0), "LEFT": (0, -1), "RIGHT": (0, 1)}[cmd]\n            r, c = r + dr, c + dc\n        return r * n + c',
  },
  {
    problem: '3519',
    name: 'counts colours per player',
    verdict: 'AC',
    code: 'class Solution:\n    def winningPlayerCount(self, n: int, pick: List[List[int]]) -> int:\n        cnt = Counter(map(tuple, pick))\n        return sum(1 for i in range(n) if any(cnt[(i, y)] > i for y in range(11)))',
  },
  {
    problem: '3519',
    name: 'off by one',
    verdict: 'WA',
    code: 'class Solution:\n    def winningPlayerCount(self, n: int, pick: List[List[int]]) -> int:\n        cnt = Counter(map(tuple, pick))\n        return sum(1 for i in range(n) if any(cnt[(i, y)] >= i for y in range(11)))',
  },
  {
    problem: '3517',
    name: 'BFS after each query, returned as a tuple',
    verdict: 'AC',
    code: 'from collections import deque\nclass Solution:\n    def shortestDistanceAfterQueries(self, n: int, queries: List[List[int]]) -> List[int]:\n        adj = [[i + 1] for i in range(n - 1)] + [[]]\n        out = []\n        for u, v in queries:\n            adj[u].append(v)\n            dist = [-1] * n\n            dist[0] = 0\n            q = deque([0])\n            while q:\n                x = q.popleft()\n                for y in adj[x]:\n                    if dist[y] < 0:\n                        dist[y] = dist[x] + 1\n                        q.append(y)\n            out.append(dist[n - 1])\n        return tuple(out)',
  },
  {
    problem: '3517',
    name: 'ignores the queries',
    verdict: 'WA',
    code: 'class Solution:\n    def shortestDistanceAfterQueries(self, n: int, queries: List[List[int]]) -> List[int]:\n        return [n - 1] * len(queries)',
  },
];
