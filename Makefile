# threecs: sitegen, intake and casework over one common library.
#
#   make            build bin/sitegen, bin/intake, bin/casework
#   make test       install what is missing, build, run every test
#   make demo       install what is missing, build, run the main job
#   make regress    diff the golden regression cases in tests/regress/
#   make fuzz       run every fuzz harness (FUZZ_TIME seconds each, default 60)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     clang-format every C file

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
SPEC_DIR ?= ../shared/spec/mustache

CC ?= cc
AR ?= ar

# The dependency list, in one place.
PKGS := libcmark-gfm libcjson libzip yaml-0.1 sqlite3 libmicrohttpd libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lpthread -lm
TEST_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wundef -Wcast-align \
	-Wno-missing-field-initializers
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Icommon -Imodel \
	$(WARN) $(PKG_CFLAGS)
OPT ?= -O2 -g
CFLAGS_REL := $(BASE_CFLAGS) $(OPT)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS_SAN := $(BASE_CFLAGS) -O1 -g $(SAN) -DTC_UNITTEST

COMMON_SRC := $(wildcard common/*.c)
MODEL_SRC := $(wildcard model/*.c)
GEN_SRC := $(filter-out generator/main.c,$(wildcard generator/*.c))
INTAKE_SRC := $(filter-out intake/main.c,$(wildcard intake/*.c))
PROC_SRC := $(filter-out processor/main.c,$(wildcard processor/*.c))
LIB_SRC := $(COMMON_SRC) $(MODEL_SRC) $(GEN_SRC) $(INTAKE_SRC) $(PROC_SRC)

rel = $(patsubst %.c,build/rel/%.o,$(1))
san = $(patsubst %.c,build/san/%.o,$(1))

TEST_SRC := $(wildcard tests/unit/test_*.c)
TESTS := $(patsubst tests/unit/%.c,build/test/%,$(TEST_SRC))
SPEC_RUNNER := build/test/mustache_spec

PROGS := bin/sitegen bin/intake bin/casework

all: $(PROGS)

# The layers: common <- model <- each program. No program's sources are
# linked into another program.
build/rel/libcommon.a: $(call rel,$(COMMON_SRC))
build/rel/libmodel.a: $(call rel,$(MODEL_SRC))
LAYERS := build/rel/libmodel.a build/rel/libcommon.a

build/rel/libsitegen.a: $(call rel,$(GEN_SRC))
build/rel/libintake.a: $(call rel,$(INTAKE_SRC))
build/rel/libcasework.a: $(call rel,$(PROC_SRC))

# A program links its main, its own layer and the shared ones, in order.
bin/sitegen: build/rel/generator/main.o build/rel/libsitegen.a $(LAYERS)
bin/intake: build/rel/intake/main.o build/rel/libintake.a $(LAYERS)
bin/casework: build/rel/processor/main.o build/rel/libcasework.a $(LAYERS)
$(PROGS):
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) -o $@ $^ $(PKG_LIBS)

# Every archive is made the same way, from the objects listed above.
ARCHIVES := build/rel/libcommon.a build/rel/libmodel.a \
	build/rel/libsitegen.a build/rel/libintake.a build/rel/libcasework.a \
	build/san/libtc.a build/fz/libtc.a
$(ARCHIVES):
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

build/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) -MMD -MP -c $< -o $@

build/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -Igenerator -Iintake -Iprocessor -MMD -MP -c $< -o $@

# Unit tests link the sanitizer build of every library module.
build/san/libtc.a: $(call san,$(LIB_SRC))

build/test/%: build/san/tests/unit/%.o build/san/libtc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

build/test/mustache_spec: build/san/tests/unit/mustache_spec.o build/san/libtc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -o $@ $^ $(PKG_LIBS)

# The three programs built with AddressSanitizer (leak checking included)
# and UndefinedBehaviorSanitizer, for the memory-checked end-to-end run.
SAN_PROGS := build/san/bin/sitegen build/san/bin/intake build/san/bin/casework
build/san/bin/sitegen: build/san/generator/main.o build/san/libtc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -o $@ $^ $(PKG_LIBS)
build/san/bin/intake: build/san/intake/main.o build/san/libtc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -o $@ $^ $(PKG_LIBS)
build/san/bin/casework: build/san/processor/main.o build/san/libtc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) -o $@ $^ $(PKG_LIBS)

# Test hooks (processor/testhooks.h: CASEWORK_TEST_CRASH_AFTER and
# CASEWORK_TEST_BATCH; intake/commit.c: INTAKE_TEST_FLUSH_FAIL) exist only
# where TC_TEST_HOOKS is defined: in the sanitizer builds and in
# build/hooks/bin/, the release builds with them, which the crash tests in
# tests/e2e/casework.sh and the failure tests in tests/e2e/intake_group.sh
# run; make check builds them first. bin/ ignores those variables.
CFLAGS_SAN += -DTC_TEST_HOOKS
CFLAGS_HOOKS := $(CFLAGS_REL) -DTC_TEST_HOOKS
HOOKS_PROG := build/hooks/bin/casework
HOOKS_INTAKE := build/hooks/bin/intake
build/hooks/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOOKS) -MMD -MP -c $< -o $@
$(HOOKS_PROG): $(patsubst %.c,build/hooks/%.o,processor/main.c $(PROC_SRC) \
		$(MODEL_SRC) $(COMMON_SRC))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOOKS) -o $@ $^ $(PKG_LIBS)
$(HOOKS_INTAKE): $(patsubst %.c,build/hooks/%.o,intake/main.c $(INTAKE_SRC) \
		$(MODEL_SRC) $(COMMON_SRC))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOOKS) -o $@ $^ $(PKG_LIBS)
check: $(HOOKS_PROG) $(HOOKS_INTAKE)

# Fuzzing: libFuzzer harnesses in tests/fuzz/, built with clang over a
# separate copy of the library compiled with coverage and sanitizers.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_FUZZ := $(BASE_CFLAGS) -O1 -g $(FUZZ_SAN) -DTC_UNITTEST -DTC_FUZZ \
	-Igenerator -Iintake -Iprocessor
fz = $(patsubst %.c,build/fz/%.o,$(1))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

build/fz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS_FUZZ) -MMD -MP -c $< -o $@

build/fz/libtc.a: $(call fz,$(LIB_SRC))

build/fuzz/%: build/fz/tests/fuzz/%.o build/fz/tests/fuzz/fuzzlib.o \
		build/fz/libtc.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS_FUZZ) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

fuzzers: $(FUZZERS)

# make fuzz: every harness for FUZZ_TIME seconds (FUZZ=name for one).
fuzz: deps
	@$(MAKE) --no-print-directory all fuzzers
	@tests/fuzz/run.sh --time $(FUZZ_TIME) $(FUZZ)

# The entry points: both install what is missing first, then start a fresh
# make so pkg-config sees the newly installed libraries.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(TESTS) $(SPEC_RUNNER) \
		$(SAN_PROGS) $(FUZZERS) $(HOOKS_PROG)
	@$(MAKE) --no-print-directory check

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

deps:
	@scripts/install-deps.sh

check: all $(TESTS) $(SPEC_RUNNER) $(SAN_PROGS) $(FUZZERS)
	@SPEC_DIR=$(SPEC_DIR) tests/run.sh $(TESTS)

unit: $(TESTS) $(SPEC_RUNNER)

# Golden regression cases: what the programs write, beside what they wrote
# when each case was recorded (tests/regress/run.sh --update CASE records).
regress: all
	@tests/regress/run.sh

MAN1 := $(wildcard docs/*.1)
MAN8 := $(wildcard docs/*.8)
MAN5 := $(wildcard docs/*.5)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 bin/sitegen bin/casework $(DESTDIR)$(BINDIR)/
	install -m 0755 bin/intake $(DESTDIR)$(SBINDIR)/
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build bin

.PHONY: all test demo deps check unit regress install format clean fuzz fuzzers
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
