# The kit's build. Every numbered folder is a chapter section; each .c file in
# it is one program (server.c -> server), except a file that has a header of
# the same name beside it (foo.c + foo.h), which is a small library of that
# section, linked into each of its programs. common/ is built once into
# common/libkit.a. See README.md for the targets.
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

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
LIBKIT     := common/libkit.a

# $(call programs,FOLDER): the programs of a folder; $(call libobjs,FOLDER):
# its section library objects (foo.c with foo.h).
is_lib   = $(wildcard $(basename $(1)).h)
libsrcs  = $(foreach c,$(wildcard $(1)/*.c),$(if $(call is_lib,$(c)),$(c)))
progsrcs = $(filter-out $(call libsrcs,$(1)),$(wildcard $(1)/*.c))
programs = $(basename $(call progsrcs,$(1)))
libobjs  = $(patsubst %.c,$(BUILD)/%.o,$(call libsrcs,$(1)))

ALL_PROGRAMS := $(foreach f,$(FOLDERS),$(call programs,$(f)))
# Test tools (tests/tools/*.c): misbehaving peers the bats files drive.
TEST_TOOLS := $(basename $(wildcard tests/tools/*.c))

.PHONY: all clean check format $(FOLDERS) $(addprefix check-,$(FOLDERS)) \
        bats-present demo bench
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

$(TEST_TOOLS): %: $(BUILD)/%.o $(LIBKIT)
	$(CC) $(LDFLAGS) $< $(LIBKIT) $(LDLIBS) -o $@

# The SPEC's folders: one that does not exist yet is simply not built.
KNOWN_FOLDERS := 01-iterative 02-thread 03-fork 04-prefork-pool \
  05-prefork-accept 06-udp 07-udp-threadpool 08-select 09-epoll \
  10-pipes-fifo-signals
ABSENT := $(filter-out $(FOLDERS),$(KNOWN_FOLDERS))
.PHONY: $(ABSENT)
$(ABSENT):
	@echo "make: $@ does not exist yet; nothing to build"

# --- tests ------------------------------------------------------------------
BATS ?= bats
bats-present:
	@command -v $(BATS) >/dev/null 2>&1 || { \
	  echo "make check needs bats-core, which is not installed. Install it with one of:"; \
	  echo "    sudo apt-get install bats     (Debian, Ubuntu)"; \
	  echo "    brew install bats-core        (macOS)"; \
	  echo "    npm install -g bats           (anywhere with Node.js)"; \
	  exit 1; }

# Tests run one file at a time (no -j): they start real servers and time them.
check: all $(TEST_TOOLS) bats-present
	$(BATS) tests/

check-%: % $(TEST_TOOLS) bats-present
	@test -f tests/$*.bats || { echo "make: no tests/$*.bats"; exit 1; }
	$(BATS) tests/$*.bats

# --- lint: cppcheck, clang-tidy (.clang-tidy) and shellcheck (.shellcheckrc) --
LINT_C     := $(wildcard common/*.c [0-9][0-9]-*/*.c tests/tools/*.c bench/*.c)
LINT_SH    := $(wildcard .ci/run tests/*.bash tests/*.bats bench/*.sh [0-9][0-9]-*/*.sh scripts/*.sh)
LINT_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Icommon
.PHONY: lint
lint:
	cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
	  --inline-suppr --error-exitcode=1 --suppress=missingIncludeSystem \
	  -D_POSIX_C_SOURCE=200809L -Icommon $(LINT_C)
	clang-tidy --quiet $(LINT_C) -- $(LINT_FLAGS)
	shellcheck -x -s bash $(LINT_SH)

# --- housekeeping -------------------------------------------------------------
format:
	clang-format -i $(wildcard common/*.[ch] [0-9][0-9]-*/*.[ch] tests/tools/*.c bench/*.[ch])

clean:
	rm -rf $(BUILD) $(LIBKIT) $(ALL_PROGRAMS) $(TEST_TOOLS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
