/**
 * The DuckDB schema: the single source of truth of every run (documented for users in docs/schema.md).
 * Keys are (run_id, item_id, attempt); rows are written as they arrive, so a killed run loses nothing
 * finished. Bump SCHEMA_VERSION and add a migration (MIGRATIONS) when a column changes.
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
  run_id            VARCHAR PRIMARY KEY,
  fingerprint       VARCHAR NOT NULL,
  fingerprint_parts JSON NOT NULL,      -- component → hash, so compare can say what differs
  suite             VARCHAR NOT NULL,
  model             VARCHAR NOT NULL,   -- as given: openai:<url>#<name>, bundled:<dir>
  n                 INTEGER NOT NULL,   -- attempts per item
  config            JSON NOT NULL,      -- the validated run configuration (no secrets)
  versions          JSON NOT NULL,      -- dseval, judge, suite, engine build, node …
  status            VARCHAR NOT NULL,   -- running | finished | failed | interrupted
  created_at        TIMESTAMP NOT NULL,
  finished_at       TIMESTAMP
);

-- Item contents are stored once per content hash, not once per run: many runs of the same suite (the
-- regression-testing case) share them, and suites with large targets (LiveCodeBench's private tests) or
-- long prompts (RULER at 128K) would otherwise repeat megabytes per item per run.
CREATE TABLE IF NOT EXISTS item_data (
  data_hash   VARCHAR PRIMARY KEY,      -- hash of the item's id, fields and target
  fields      JSON NOT NULL,            -- what the prompt template saw (problem text …)
  target      JSON NOT NULL             -- what the judge grades against
);

CREATE TABLE IF NOT EXISTS prompts (
  prompt_hash VARCHAR PRIMARY KEY,      -- hash of the rendered prompt
  prompt      JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS run_items (
  run_id      VARCHAR NOT NULL,
  item_id     VARCHAR NOT NULL,
  position    INTEGER NOT NULL,         -- order in the dataset
  data_hash   VARCHAR NOT NULL,         -- → item_data
  prompt_hash VARCHAR NOT NULL,         -- → prompts
  metadata    JSON NOT NULL,
  PRIMARY KEY (run_id, item_id)
);

-- The items of every run with their contents: what queries read.
CREATE OR REPLACE VIEW items AS
SELECT r.run_id, r.item_id, r.position, r.data_hash, r.prompt_hash, d.fields, p.prompt, d.target, r.metadata
FROM run_items r JOIN item_data d USING (data_hash) JOIN prompts p USING (prompt_hash);

CREATE TABLE IF NOT EXISTS attempts (
  run_id            VARCHAR NOT NULL,
  item_id           VARCHAR NOT NULL,
  attempt           INTEGER NOT NULL,
  seed              BIGINT NOT NULL,
  text              VARCHAR NOT NULL,   -- the answer part
  reasoning         VARCHAR NOT NULL,   -- the thinking part
  thinking_unclosed BOOLEAN NOT NULL,
  finish            VARCHAR NOT NULL,   -- stop | length | error
  prompt_tokens     INTEGER,
  completion_tokens INTEGER,
  latency_ms        DOUBLE,
  ttft_ms           DOUBLE,
  tokens_per_s      DOUBLE,
  error             VARCHAR,
  created_at        TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, item_id, attempt)
);

CREATE TABLE IF NOT EXISTS grades (
  run_id             VARCHAR NOT NULL,
  item_id            VARCHAR NOT NULL,
  attempt            INTEGER NOT NULL,
  outcome            VARCHAR NOT NULL,  -- correct | wrong | no_answer | truncated | unclosed_thinking | error
  score              DOUBLE NOT NULL,
  extracted          VARCHAR,
  answer_key         VARCHAR,
  judge_disagreement BOOLEAN,           -- the judge's independent self-check disagreed
  details            JSON NOT NULL,
  judge              VARCHAR NOT NULL,
  judge_version      VARCHAR NOT NULL,
  created_at         TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, item_id, attempt)
);

CREATE TABLE IF NOT EXISTS metrics (
  run_id      VARCHAR NOT NULL,
  metric      VARCHAR NOT NULL,         -- avg@4, pass@1, maj@4 …
  breakdown   VARCHAR NOT NULL,         -- '' for the whole suite, else key=value (difficulty=hard)
  value       DOUBLE,
  ci_low      DOUBLE,
  ci_high     DOUBLE,
  n_items     INTEGER NOT NULL,
  computed_at TIMESTAMP NOT NULL,
  PRIMARY KEY (run_id, metric, breakdown)
);

-- One row per attempt with its grade, run and item context (no long texts): the table most SQL starts from.
CREATE OR REPLACE VIEW results AS
SELECT a.run_id, r.suite, r.model, a.item_id, i.position, a.attempt, i.metadata,
       g.outcome, g.score, g.extracted, g.answer_key, g.judge_disagreement, g.judge, g.judge_version,
       a.finish, a.thinking_unclosed, a.prompt_tokens, a.completion_tokens,
       a.latency_ms, a.ttft_ms, a.tokens_per_s, a.seed, a.error, a.created_at
FROM attempts a
JOIN runs r USING (run_id)
JOIN items i USING (run_id, item_id)
LEFT JOIN grades g USING (run_id, item_id, attempt)
`;

/**
 * Migrations from older schema versions, run in order before SCHEMA_SQL. Version 1 kept item contents in a
 * per-run `items` table; version 2 stores them once per content hash (item_data, prompts) behind an `items` view.
 */
export const MIGRATIONS: Record<number, string[]> = {
  1: [
    `CREATE TABLE item_data (data_hash VARCHAR PRIMARY KEY, fields JSON NOT NULL, target JSON NOT NULL)`,
    `CREATE TABLE prompts (prompt_hash VARCHAR PRIMARY KEY, prompt JSON NOT NULL)`,
    `CREATE TABLE run_items (run_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, position INTEGER NOT NULL,
       data_hash VARCHAR NOT NULL, prompt_hash VARCHAR NOT NULL, metadata JSON NOT NULL, PRIMARY KEY (run_id, item_id))`,
    `INSERT INTO item_data SELECT DISTINCT ON (data_hash) data_hash, fields, target FROM items`,
    `INSERT INTO prompts SELECT DISTINCT ON (prompt_hash) prompt_hash, prompt FROM items`,
    `INSERT INTO run_items SELECT run_id, item_id, position, data_hash, prompt_hash, metadata FROM items`,
    `DROP VIEW IF EXISTS results`,
    `DROP TABLE items`,
  ],
};
