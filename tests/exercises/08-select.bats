#!/usr/bin/env bats
# Graders for the exercises of 08-select/README.md (make check-08-select
# runs them). The core exercise (TODO(08-select), serve_one_read) is graded
# by tests/08-select.bats.

load ../helper
load idle

setup_file() { kit_build 08-select; }

@test "exercise 2: -i 1 drops a silent client after about a second" { idle_client_dropped 08-select; }
@test "exercise 2: a client that keeps talking is not dropped" { talking_client_kept 08-select; }
@test "exercise 2: without -i a silent client stays connected" { silent_client_kept_by_default 08-select; }
@test "exercise 2: -i takes 0 to 3600 seconds" { idle_option_range 08-select; }
