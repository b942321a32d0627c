# gfs2j entry points. `make run` and `make test` set up everything else they need.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
IMAGE ?= var/gfs2j.img
IMAGE_SIZE ?= 1G
JOURNALS ?= 2
MNT ?= var/mnt

# Debian packages the tests and the benchmark runner use, as "command:package".
TOOLS := mkfs.gfs2:gfs2-utils fsck.gfs2:gfs2-utils gfs2_edit:gfs2-utils fusermount3:fuse3 \
         fio:fio bindfs:bindfs stress-ng:stress-ng getfattr:attr setfacl:acl \
         sqlite3:sqlite3 rsync:rsync losetup:mount ip:iproute2 \
         python3:python3 mkfs.ext4:e2fsprogs git:git

.PHONY: all build test run deps bench clean install uninstall

all: build

deps:
	@missing=""; for t in $(TOOLS); do cmd=$${t%%:*}; pkg=$${t##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || [ -x /usr/sbin/$$cmd ] || [ -x /sbin/$$cmd ] || missing="$$missing $$pkg"; done; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -z "$${missing// /}" ]; then echo "deps: all tools present"; \
	elif [ "$$(id -u)" = 0 ]; then echo "deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else echo "deps: missing packages:$$missing"; echo "deps: run 'sudo apt-get install$$missing' (or 'sudo make deps') and try again"; exit 1; fi
	@command -v java >/dev/null && command -v mvn >/dev/null || { echo "deps: a JDK 17 and Maven are needed (apt-get install openjdk-17-jdk-headless maven)"; exit 1; }

build:
	$(MVN) -q -DskipTests package

test: deps
	$(MVN) verify

run: build
	@mkdir -p var
	@if [ ! -f $(IMAGE) ]; then truncate -s $(IMAGE_SIZE) $(IMAGE); \
	  bin/gfs2j mkfs -O -p lock_nolock -j $(JOURNALS) $(IMAGE); fi
	@if bin/gfs2j --help | grep -q "^  show "; then \
	  bin/gfs2j show $(IMAGE) sb && bin/gfs2j show $(IMAGE) rgs && bin/gfs2j show $(IMAGE) journals && \
	  bin/gfs2j ls -l $(IMAGE) /; \
	else \
	  echo "(gfs2j show is not built yet; what gfs2-utils sees:)"; \
	  gfs2_edit -p sb master journals $(abspath $(IMAGE)); \
	fi
	@mkdir -p $(MNT)
	@if grep -qs " $(abspath $(MNT)) " /proc/self/mountinfo; then \
	  if ls $(MNT) >/dev/null 2>&1; then \
	    echo "$(MNT) is still mounted from a previous run; leaving it as it is"; \
	  else \
	    echo "$(MNT): stale mount of a previous run (its daemon is gone); cleaning up"; \
	    bin/gfs2j umount $(MNT) && bin/gfs2j mount $(IMAGE) $(MNT); \
	  fi; \
	else \
	  bin/gfs2j mount $(IMAGE) $(MNT); \
	fi
	@echo; echo "\$$ ls -la $(MNT)"; ls -la $(MNT)
	@echo; echo "$(IMAGE) is mounted read-write on $(MNT) (this host alone, lock_nolock). Use it like any directory;"
	@echo "after unmounting, fsck.gfs2 -n $(IMAGE) and bin/gfs2j ls -R $(IMAGE) / show what was written."
	@echo "unmount with: bin/gfs2j umount $(MNT)"

# `make install` (as root): the jar goes to $(LIBDIR), a `gfs2j` wrapper to $(BINDIR), and the
# mount(8) helper to $(SBINDIR)/mount.gfs2j, so `mount -t gfs2j DEVICE DIR` and fstab lines with
# type gfs2j work (docs/mount.md). The installed copy does not change when this checkout is rebuilt.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib/gfs2j
SBINDIR ?= /sbin
install: build
	@[ "$$(id -u)" = 0 ] || { echo "install: run as root (sudo make install)"; exit 1; }
	install -d $(LIBDIR) $(BINDIR) $(SBINDIR)
	install -m 0644 cli/target/gfs2j.jar $(LIBDIR)/gfs2j.jar
	printf '#!/bin/sh\n# gfs2j CLI, installed by make install from %s\nexec java $${GFS2J_JAVA_OPTS:--Xmx1g} -jar %s "$$@"\n' \
	  "$(CURDIR)" "$(LIBDIR)/gfs2j.jar" > $(BINDIR)/gfs2j
	chmod 0755 $(BINDIR)/gfs2j
	sed 's|^installed_jar=""|installed_jar="$(LIBDIR)/gfs2j.jar"|' bin/mount.gfs2j > $(SBINDIR)/mount.gfs2j
	chmod 0755 $(SBINDIR)/mount.gfs2j
	@echo "installed: $(BINDIR)/gfs2j, $(LIBDIR)/gfs2j.jar, $(SBINDIR)/mount.gfs2j"

uninstall:
	@[ "$$(id -u)" = 0 ] || { echo "uninstall: run as root (sudo make uninstall)"; exit 1; }
	rm -f $(BINDIR)/gfs2j $(SBINDIR)/mount.gfs2j $(LIBDIR)/gfs2j.jar
	-rmdir $(LIBDIR) 2>/dev/null
	@echo "removed: $(BINDIR)/gfs2j, $(LIBDIR), $(SBINDIR)/mount.gfs2j"

# The file-system benchmark (docs/bench.md): gfs2j against kernel ext4 and bindfs, report in
# docs/benchmarks.md. Needs root. `make bench BENCH_ARGS=--quick` is the one-minute smoke test.
BENCH_ARGS ?=
bench: deps build
	bin/gfs2j bench fs $(BENCH_ARGS)

clean:
	@if grep -qs " $(abspath $(MNT)) " /proc/self/mountinfo; then umount $(MNT) || umount -l $(MNT); fi
	$(MVN) -q clean
	rm -rf var
