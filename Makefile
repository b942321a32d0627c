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
         python3:python3 mkfs.ext4:e2fsprogs

.PHONY: all build test run deps bench clean

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
	    bin/gfs2j umount $(MNT) && bin/gfs2j mount -o ro $(IMAGE) $(MNT); \
	  fi; \
	else \
	  bin/gfs2j mount -o ro $(IMAGE) $(MNT); \
	fi
	@echo; echo "\$$ ls -la $(MNT)"; ls -la $(MNT)
	@echo; echo "$(IMAGE) is mounted read-only on $(MNT). Look at it with ls, stat, cat, getfattr -d -m - ..., stat -f $(MNT);"
	@echo "unmount with: bin/gfs2j umount $(MNT)"

# The file-system benchmark (docs/bench.md): gfs2j against kernel ext4 and bindfs, report in
# docs/benchmarks.md. Needs root. `make bench BENCH_ARGS=--quick` is the one-minute smoke test.
BENCH_ARGS ?=
bench: deps build
	bin/gfs2j bench fs $(BENCH_ARGS)

clean:
	@if grep -qs " $(abspath $(MNT)) " /proc/self/mountinfo; then umount $(MNT) || umount -l $(MNT); fi
	$(MVN) -q clean
	rm -rf var
