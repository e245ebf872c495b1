# The kit's build. Every numbered folder NN-name/ is a chapter section, found
# by its name alone: adding one edits no list here (CONTRACT.md §14). In a
# section, each .c file is one of two things, told apart by one rule:
#
#   - a PROGRAM when no header of the same name sits beside it: it defines
#     main() and is built next to its source (03-fork/server.c becomes
#     03-fork/server);
#   - a LIBRARY of the section when one does (04-prefork-pool/pool.c + pool.h):
#     it has no main() and is linked into each of the section's programs.
#
# A subfolder (02-thread/db/) follows the same rule; its programs are built one
# level up (below). tests/add-section.bats fails on any .c that breaks the rule
# (a program with a header, a library without one). common/, with the client
# tools of common/client/, is built once into common/libkit.a. See README.md for the targets.
#
#   make                 every folder        make 03-fork     one folder
#   make check           build + bats tests  make check-03-fork  one folder's tests
#   make CC=clang        another compiler    make SAN=address|thread  sanitizers
#   make clean           remove every build product

CC      ?= cc
SAN     ?=
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla
KITFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -Icommon $(WARN)
LDLIBS  := -pthread

# musl-gcc looks only in musl's own headers; the kernel's (linux/io_uring.h,
# for 11-io-uring) come from the system's, searched after musl's.
ifneq ($(findstring musl,$(CC)),)
  KITFLAGS += -idirafter /usr/include -idirafter /usr/include/$(shell gcc -print-multiarch 2>/dev/null)
endif

ifeq ($(SAN),address)
  KITFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS  += -fsanitize=address,undefined
else ifeq ($(SAN),thread)
  KITFLAGS += -fsanitize=thread
  LDFLAGS  += -fsanitize=thread
else ifneq ($(SAN),)
  $(error SAN must be address or thread, not '$(SAN)')
endif

# Objects live in .build/ so that the folders hold only sources and programs.
BUILD   := .build
FOLDERS := $(sort $(patsubst %/,%,$(wildcard [0-9][0-9]-*/)))

# A change of compiler or flags must rebuild everything (an ASan object linked
# with a plain one fails in confusing ways): every object depends on this
# stamp, which is rewritten only when the flags really change.
FLAGS_STAMP := $(BUILD)/flags
FLAGS_NOW   := $(CC) $(CFLAGS) $(KITFLAGS) $(LDFLAGS)
$(shell mkdir -p $(BUILD); \
  [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" = '$(FLAGS_NOW)' ] || \
  printf '%s\n' '$(FLAGS_NOW)' > $(FLAGS_STAMP))

COMMON_SRC := $(wildcard common/*.c common/client/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIBKIT     := common/libkit.a

# $(call programs,FOLDER): the programs of a folder; $(call libobjs,FOLDER):
# its section library objects (foo.c with foo.h): the rule above.
is_lib   = $(wildcard $(basename $(1)).h)
libsrcs  = $(foreach c,$(wildcard $(1)/*.c),$(if $(call is_lib,$(c)),$(c)))
progsrcs = $(filter-out $(call libsrcs,$(1)),$(wildcard $(1)/*.c))
programs = $(basename $(call progsrcs,$(1)))
libobjs  = $(patsubst %.c,$(BUILD)/%.o,$(call libsrcs,$(1)))

ALL_PROGRAMS := $(foreach f,$(FOLDERS),$(call programs,$(f)))
# Test tools (tests/tools/*.c): misbehaving peers the bats files drive.
TEST_TOOLS := $(basename $(wildcard tests/tools/*.c))
# Bench helpers (bench/*.c): the yardsticks and load tools of make bench.
BENCH_TOOLS := $(basename $(wildcard bench/*.c))

.PHONY: all clean check format $(FOLDERS) $(addprefix check-,$(FOLDERS)) \
        bats-present tools-present demo bench
.DEFAULT_GOAL := all
all: $(ALL_PROGRAMS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(KITFLAGS) -MMD -MP -c $< -o $@

$(LIBKIT): $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# One rule per folder: its programs link their own object, the section's
# library objects and libkit.
define folder_rules
$(1): $(call programs,$(1))
$(call programs,$(1)): %: $(BUILD)/%.o $(call libobjs,$(1)) $(LIBKIT)
	$$(CC) $$(LDFLAGS) $$(filter %.o,$$^) $(LIBKIT) $$(LDLIBS) -o $$@
endef
$(foreach f,$(FOLDERS),$(eval $(call folder_rules,$(f))))

# A folder's subfolder (02-thread/db/) holds the sources of programs that
# belong together, apart from the folder's lesson: each of its .c files
# without a .h is a program built one level UP, in the folder itself
# (02-thread/db/dbserver.c -> 02-thread/dbserver), linked with that
# subfolder's own library objects (db.c with db.h) and libkit. (A program's
# sources cannot sit in a subfolder named after the program: the program
# itself is a file of that name.)
SUBFOLDERS := $(patsubst %/,%,$(wildcard $(addsuffix /*/,$(FOLDERS))))
subprograms = $(addprefix $(patsubst %/,%,$(dir $(1)))/,$(notdir $(call programs,$(1))))
define subfolder_rules
all $(patsubst %/,%,$(dir $(1))): $(call subprograms,$(1))
$(call subprograms,$(1)): $(patsubst %/,%,$(dir $(1)))/%: $(BUILD)/$(1)/%.o $(call libobjs,$(1)) $(LIBKIT)
	$$(CC) $$(LDFLAGS) $$(filter %.o,$$^) $(LIBKIT) $$(LDLIBS) -o $$@
endef
$(foreach s,$(SUBFOLDERS),$(eval $(call subfolder_rules,$(s))))
ALL_PROGRAMS += $(foreach s,$(SUBFOLDERS),$(call subprograms,$(s)))

$(TEST_TOOLS) $(BENCH_TOOLS): %: $(BUILD)/%.o $(LIBKIT)
	$(CC) $(LDFLAGS) $(filter %.o,$^) $(LIBKIT) $(LDLIBS) -o $@
# bench/uringloop, the bare io_uring yardstick, drives 11-io-uring's ring.
bench/uringloop: $(BUILD)/11-io-uring/ring.o

# --- tests ------------------------------------------------------------------
BATS ?= bats
bats-present:
	@command -v $(BATS) >/dev/null 2>&1 || { \
	  echo "make check needs bats-core, which is not installed. Install it with one of:"; \
	  echo "    sudo apt-get install bats     (Debian, Ubuntu)"; \
	  echo "    brew install bats-core        (macOS)"; \
	  echo "    npm install -g bats           (anywhere with Node.js)"; \
	  exit 1; }

# Commands the tests use, as COMMAND:DEBIAN-PACKAGE. Without a required
# one nothing can run (servers are started with setsid, watched with ps);
# without an optional one only the tests that need it skip, each naming
# the package (require_command in tests/helper.bash).
CHECK_REQUIRED := timeout:coreutils setsid:util-linux ps:procps pgrep:procps
CHECK_OPTIONAL := prlimit:util-linux ss:iproute2 curl:curl valgrind:valgrind \
                  xmllint:libxml2-utils python3:python3 strace:strace
.PHONY: tools-present
tools-present: bats-present
	@missing_packages() { for t in "$$@"; do command -v "$${t%%:*}" >/dev/null 2>&1 || \
	  printf ' %s' "$${t#*:}"; done; }; \
	required=$$(missing_packages $(CHECK_REQUIRED)); \
	optional=$$(missing_packages $(CHECK_OPTIONAL)); \
	[ -z "$$optional" ] || echo "make check: not installed:$$optional;" \
	  "the tests that need them are skipped (sudo apt-get install -y$$optional)"; \
	[ -z "$$required" ] || { echo "make check needs:$$required" \
	  "(sudo apt-get install -y$$required)"; exit 1; }

# Tests run one file at a time (no -j): they start real servers and time them.
# The graders of tests/exercises/ are not run here: they grade features the
# reference leaves to students, so they fail on it by design (tests/graders.bats
# proves each one fails here and passes with its solution).
# CHECK_TESTS narrows a run to some bats files (.ci/run's sanitizer and musl
# steps run the suites they add something to); by default, all of tests/.
CHECK_TESTS ?= tests/
# BATS_FLAGS: more options for bats (.ci/run: --timing, each test's time).
BATS_FLAGS ?=
check: all $(TEST_TOOLS) $(BENCH_TOOLS) tools-present
	$(BATS) $(BATS_FLAGS) $(CHECK_TESTS)

# check-NN-name: one folder's tests (explicit rules: make never applies a
# pattern rule to a .PHONY target, so check-% would silently do nothing).
define check_rule
check-$(1): $(1) $(TEST_TOOLS) tools-present
	@test -f tests/$(1).bats || { echo "make: no tests/$(1).bats"; exit 1; }
	$$(BATS) tests/$(1)*.bats
endef
$(foreach f,$(FOLDERS),$(eval $(call check_rule,$(f))))

# --- demo and bench (CONTRACT.md §6, §7 and §11; see bench/README.md) -------
demo: all $(BENCH_TOOLS)
	@DEMO_DELAY_MS='$(DEMO_DELAY_MS)' DEMO_CLIENTS='$(DEMO_CLIENTS)' \
	    DEMO_TIMELINE='$(DEMO_TIMELINE)' bench/demo.sh

bench: all $(BENCH_TOOLS)
	@BENCH_OUT='$(BENCH_OUT)' BENCH_QUICK='$(BENCH_QUICK)' BENCH_ONLY='$(BENCH_ONLY)' bench/bench.sh

# --- lint: cppcheck, clang-tidy (.clang-tidy) and shellcheck (.shellcheckrc) --
LINT_C     := $(wildcard exercises/lab/start/*.c common/*.c common/client/*.c [0-9][0-9]-*/*.c [0-9][0-9]-*/*/*.c tests/tools/*.c tests/fuzz/*.c bench/*.c)
LINT_SH    := $(wildcard exercises/lab/assign.sh tests/exercises/*/*.bash .ci/run scripts/reach scripts/grade-stability scripts/grade scripts/grade-class tests/*.bash tests/*.bats tests/exercises/*.bash tests/exercises/*/*.bats bench/*.sh [0-9][0-9]-*/*.sh scripts/*.sh)
LINT_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Icommon $(addprefix -I,$(FOLDERS) $(SUBFOLDERS))
.PHONY: lint
lint:
	cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
	  --inline-suppr --error-exitcode=1 --suppress=missingIncludeSystem \
	  -D_POSIX_C_SOURCE=200809L -Icommon $(LINT_C)
	clang-tidy --quiet $(LINT_C) -- $(LINT_FLAGS)
	shellcheck -x -s bash $(LINT_SH)
	shellcheck -s sh scripts/serve scripts/stop scripts/student-kit.sh scripts/scratch-copy scripts/io-uring-probe

# --- fuzzing: libFuzzer targets in tests/fuzz/fuzz_*.c ------------------------
# Each target is linked with common/ and the section libraries (foo.c with
# foo.h) of the folders whose headers it includes, built by clang with -fsanitize=fuzzer,address,undefined, run for
# FUZZ_SECONDS each over a scratch copy of its seed corpus
# (tests/fuzz/corpus/NAME) and first replays tests/fuzz/regressions/NAME:
# every crash ever found stays there as a regression test.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := $(notdir $(basename $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_LIBS    := $(COMMON_SRC) $(foreach f,$(FOLDERS),$(call libsrcs,$(f)))
# $(call fuzz_libs,TARGET): common/ and the libraries of the sections whose
# headers TARGET includes (two sections may each have an add_conn: a target
# links only the ones it tests).
fuzz_headers = $(shell sed -n 's/^\#include "\(.*\)"/\1/p' tests/fuzz/$(1).c)
fuzz_folders = $(sort $(foreach h,$(call fuzz_headers,$(1)),$(patsubst %/,%,$(dir $(wildcard $(addsuffix /$(h),$(FOLDERS)))))))
fuzz_libs    = $(COMMON_SRC) $(foreach f,$(call fuzz_folders,$(1)),$(call libsrcs,$(f)))
FUZZ_FLAGS   := -std=c11 -D_POSIX_C_SOURCE=200809L -pthread -Icommon \
                $(addprefix -I,$(FOLDERS)) -g -O1 \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIBS) $(wildcard common/*.h [0-9][0-9]-*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(call fuzz_libs,$*) -o $@
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  work=$$(mktemp -d); cp -r tests/fuzz/corpus/$$t/. $$work/ 2>/dev/null || true; \
	  if [ -d tests/fuzz/regressions/$$t ] && [ -n "$$(ls tests/fuzz/regressions/$$t)" ]; then \
	    echo "fuzz: $$t: replaying regressions"; \
	    $(BUILD)/fuzz/$$t tests/fuzz/regressions/$$t/*; fi; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  status=0; $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- -print_final_stats=1 $$work >$$work.log 2>&1 || status=$$?; \
	  grep -E '^(stat::number_of_executed_units|==[0-9]+==|SUMMARY|artifact_prefix)' $$work.log || true; \
	  rm -rf $$work $$work.log; \
	  [ "$$status" -eq 0 ] || { echo "fuzz: $$t FOUND A CRASH (see $(BUILD)/fuzz/$$t-*): add it to tests/fuzz/regressions/$$t/"; exit 1; }; \
	done

# --- exercises (exercises/README.md) ------------------------------------------
# make student-kit EXERCISES="03-fork 08-select lab": the kit, packed from the
# last commit (a dirty tree or a committed symlink is refused), with those
# folders' core exercises stubbed, the lab at its start, no answer inside.
# make check-exercises [EXERCISES="03-fork"]: the graders of the graded
# extras (all folders' by default) against this tree: a student runs them
# after writing an extra.
.PHONY: student-kit check-exercises
student-kit:
	EXERCISES="$(EXERCISES)" STUDENT_KIT="$(STUDENT_KIT)" sh scripts/student-kit.sh
check-exercises: all $(TEST_TOOLS) tools-present
	$(BATS) -r $(if $(EXERCISES),$(addprefix tests/exercises/,$(EXERCISES)),tests/exercises)

# --- grading (scripts/grade, exercises/points.tsv; exercises/README.md) -------
# make grade [ITEM="08-select/idle-timeout"] [EXERCISES="04-prefork-pool lab"]
#            [SUBMISSION=DIR|TARBALL [KIT=DIR|TARBALL]] [GRADE_OUT=DIR]
# One line per graded item (OK or FAIL, points, seconds), then the score;
# JSON and JUnit in grade-results/. A class: scripts/grade-class.
.PHONY: grade
grade: tools-present
	@ITEM='$(ITEM)' EXERCISES='$(EXERCISES)' SUBMISSION='$(SUBMISSION)' KIT='$(KIT)' \
	  GRADE_OUT='$(GRADE_OUT)' GRADE_TIMEOUT='$(GRADE_TIMEOUT)' bash scripts/grade

# --- housekeeping -------------------------------------------------------------
format:
	clang-format -i $(wildcard common/*.[ch] common/client/*.[ch] [0-9][0-9]-*/*.[ch] tests/tools/*.c bench/*.[ch])

clean:
	rm -rf $(BUILD) $(LIBKIT) $(ALL_PROGRAMS) $(TEST_TOOLS) $(BENCH_TOOLS) \
	  student-kit.tar.gz trace.tsv errors server-log

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
