// Subcommands of dseval-engine (main.cpp dispatches).
#pragma once

namespace dse {

int check_main(int argc, char** argv);
int bench_main(int argc, char** argv);
int selftest_main(int argc, char** argv);
int validate_main(int argc, char** argv);

}  // namespace dse
