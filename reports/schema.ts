/**
 * The DuckDB schema: the single source of truth of every run (documented for users in docs/schema.md).
 * Keys are (run_id, item_id, attempt); rows are written as they arrive, so a killed run loses nothing
 * finished. Bump SCHEMA_VERSION and add a migration when a column changes.
 */
export const SCHEMA_VERSION = 1;

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

CREATE TABLE IF NOT EXISTS items (
  run_id      VARCHAR NOT NULL,
  item_id     VARCHAR NOT NULL,
  position    INTEGER NOT NULL,         -- order in the dataset
  data_hash   VARCHAR NOT NULL,         -- hash of the item's fields + target
  prompt_hash VARCHAR NOT NULL,         -- hash of the rendered prompt
  fields      JSON NOT NULL,            -- what the prompt template saw (problem text …)
  prompt      JSON NOT NULL,
  target      JSON NOT NULL,
  metadata    JSON NOT NULL,
  PRIMARY KEY (run_id, item_id)
);

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
