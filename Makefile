# p2pcore - one non-recursive Makefile (no autotools).
#
#   make                 library + binaries in $(O) (build/, or build-san/ with SAN=1)
#   make check           install missing packages (root) and run every test twice:
#                        a normal build, then ASan+UBSan (tests/check.sh)
#   make SAN=1           ASan + UBSan build
#   make fuzz            libFuzzer targets (clang), FUZZ_SECONDS each (default 60)
#   make bench           benchmarks, JSON lines on stdout
#   make install / uninstall   honour PREFIX and DESTDIR
#   V=1                  show the commands; WERROR=1 adds -Werror

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

CC      ?= cc
AR      ?= ar
PKG_CONFIG ?= pkg-config
CFLAGS  ?= -O2 -g
FUZZ_SECONDS ?= 60

ifeq ($(SAN),1)
O ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
else
O ?= build
SANFLAGS :=
endif

PKGS := libsecp256k1 libcrypto libevent jansson snappy sqlite3 miniupnpc
# Lazy (=) on purpose: `make check` installs packages before anything asks
# pkg-config about them.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))

WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wformat=2
ifeq ($(WERROR),1)
WARN += -Werror
endif
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -pthread $(CFLAGS) $(SANFLAGS) \
	$(FUZZFLAGS) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS = $(PKG_LIBS) -lnatpmp -lm -pthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(wildcard libp2pcore/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIB      := $(O)/libp2pcore.a
HEADERS  := $(wildcard libp2pcore/include/p2p/*.h)

CMDS     := $(patsubst cmd/%.c,%,$(wildcard cmd/p2p-*.c))
CMD_BINS := $(CMDS:%=$(O)/bin/%)
CLI_OBJS := $(O)/cmd/cli.o $(O)/cmd/config.o $(O)/cmd/daemon.o $(O)/cmd/input.o \
	$(O)/cmd/peer.o $(O)/cmd/rpc.o

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(O)/tests/unit-tests
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BINS := $(FUZZ_NAMES:%=$(O)/tests/replay_%)
EXAMPLE_BINS := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BIN := $(O)/bench/benchmarks

.PHONY: all lib test-bins check fuzz fuzz-bins bench install uninstall clean \
	run symcheck FORCE
.SUFFIXES:
.SECONDARY:

all: $(LIB) $(CMD_BINS) $(EXAMPLE_BINS)
lib: $(LIB)
test-bins: all $(UNIT_BIN) $(REPLAY_BINS)

# Library objects see internal.h; binaries see only the public headers.
$(O)/libp2pcore/%.o: libp2pcore/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include -Ilibp2pcore -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^
	$(Q)sh tests/symcheck.sh $@

$(O)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include -c -o $@ $<

# A tool's own extra objects beside its main file.
EXTRA_p2p-discover := $(O)/cmd/crawl.o
EXTRA_p2p-serverd := $(O)/cmd/metrics.o $(O)/cmd/admin.o $(O)/cmd/admin_p2p.o \
    $(O)/cmd/control.o

.SECONDEXPANSION:
$(O)/bin/%: $(O)/cmd/%.o $(CLI_OBJS) $$(EXTRA_$$*) $(LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(EXTRA_$*) $(CLI_OBJS) $(LIB) $(LIBS)

# Examples see only the public headers, as an embedder's program would.
$(O)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

$(O)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include -Ilibp2pcore -c -o $@ $<

$(UNIT_BIN): $(UNIT_SRCS:%.c=$(O)/%.o) $(LIB)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_SRCS:%.c=$(O)/%.o) $(LIB) $(LIBS)

# Fuzz harnesses built two ways: with a plain main() that replays a corpus
# (make check, any compiler), and with libFuzzer (make fuzz, clang).
$(O)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include -Ilibp2pcore -c -o $@ $<

# The tools' own input parsers (cmd/cli.c, cmd/peer.c) are fuzzed too.
$(O)/tests/replay_%: $(O)/tests/fuzz/fuzz_%.o $(O)/tests/fuzz/replay.o $(CLI_OBJS) $(LIB)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/fuzz/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(CLI_OBJS) $(LIB)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz-bins: $(FUZZ_NAMES:%=$(O)/fuzz/fuzz_%)

fuzz:
	$(Q)sh tests/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory O=build-fuzz CC=clang SAN= \
	    FUZZFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" fuzz-bins
	$(Q)sh tests/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

$(O)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Ilibp2pcore/include -Ilibp2pcore -c -o $@ $<

$(BENCH_BIN): $(BENCH_SRCS:%.c=$(O)/%.o) $(LIB)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(BENCH_SRCS:%.c=$(O)/%.o) $(LIB) $(LIBS)

bench: $(BENCH_BIN) all
	$(Q)$(BENCH_BIN)
	$(Q)P2P_BIN=$(O)/bin sh bench/serverd.sh

check:
	$(Q)sh tests/check.sh

# The main job: a five-node discovery network on loopback, crawled.
run:
	$(Q)sh tests/deps.sh check
	$(Q)$(MAKE) --no-print-directory all
	$(Q)P2P_BIN=$(O)/bin sh scripts/localnet.sh

symcheck: $(LIB)

# Written on every install and kept only when it changed: it depends on
# PREFIX and friends, which no file's timestamp records.
$(O)/libp2pcore.pc: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
	    'includedir=$(INCLUDEDIR)' '' 'Name: libp2pcore' \
	    'Description: devp2p networking stack' \
	    'Version: $(shell sed -n 's/.*P2P_VERSION_STRING "\(.*\)"/\1/p' libp2pcore/include/p2p/p2p.h)' \
	    'Requires.private: $(PKGS)' \
	    'Libs: -L$${libdir} -lp2pcore' 'Libs.private: -lnatpmp -lm -pthread' \
	    'Cflags: -I$${includedir}' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv -f $@.tmp $@

FORCE:

install: all $(O)/libp2pcore.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCLUDEDIR)/p2p $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 755 $(CMD_BINS) $(DESTDIR)$(BINDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/p2p-serverd.service.in \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/p2p-serverd.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/p2p-serverd.service
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/p2p/
	install -m 644 $(O)/libp2pcore.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/
	for c in $(CMDS); do \
	    [ ! -f completions/bash/$$c ] || install -m 644 completions/bash/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c; \
	    [ ! -f completions/zsh/_$$c ] || install -m 644 completions/zsh/_$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c; \
	    [ ! -f completions/fish/$$c.fish ] || install -m 644 completions/fish/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done

uninstall:
	for c in $(CMDS); do \
	    rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/man1/$$c.1 \
	        $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c \
	        $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done
	rm -f $(DESTDIR)$(LIBDIR)/libp2pcore.a $(DESTDIR)$(PKGCONFIGDIR)/libp2pcore.pc
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/p2p-serverd.service
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/p2p

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)

print-O:
	@echo $(O)
