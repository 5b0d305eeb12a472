// `dseval-engine serve`: the NDJSON loop. A reader thread turns stdin lines into a queue; the main
// thread alternates between handling requests and running batched steps. Events go to stdout, one
// line each; logs go to stderr only.
#pragma once

namespace dse {

int serve_main();

}  // namespace dse
