package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Everyday tools on a read-write gfs2j mount, each on a fresh image that must be fsck.gfs2-clean
 * afterwards: cp -a of a tree with symlinks, hard links, modes and times (compared by diff -r and
 * by a stat manifest, also after a remount), a tar round trip, rsync -a with a second run that
 * changes nothing, find by type/time/size, and a git repository through commit, branch, merge,
 * fsck and gc.
 */
class ShellWorkloadsTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    /**
     * A tree in $S/src: a 300-entry directory (hashed), files of awkward sizes, a sparse file,
     * relative, absolute and dangling symlinks, a file with three hard links, unusual modes
     * (setuid, sticky, 0400), names with spaces and UTF-8, and past times with nanoseconds (tar
     * keeps them in its posix format). Then $S/manifest
     * FILE DIR writes DIR's stat manifest to FILE.
     */
    private static final String TREE = """
            mkdir -p $S/src/a/b/c $S/src/wide $S/src/sticky "$S/src/with space"
            cd $S/src
            for n in 0 1 4095 4096 4097 100000 1048579; do head -c $n /dev/urandom > a/f$n; done
            for i in $(seq 1 300); do echo "entry $i" > wide/file-with-a-long-name-$i; done
            truncate -s 10M a/sparse; printf middle | dd of=a/sparse bs=1 seek=5000000 conv=notrunc status=none
            echo hello > "with space/é ü"; ln -s ../a/f1 "with space/rel"; ln -s /etc/hostname a/abs; ln -s nowhere a/dangling
            echo linked > a/b/h1; ln a/b/h1 a/b/h2; ln a/b/h1 a/c-h3
            # Times in the past for all (rsync compares whole seconds: a fresh copy made within the
            # second of its source would otherwise keep its own time), then a few particular ones.
            find . -exec touch -h -d '2020-06-07 08:09:10.111222333' {} +
            chmod 4755 a/f1; chmod 0400 a/f0; chmod 1777 sticky; chmod 0711 a/b/c; chown 12345:54321 a/f4095
            touch -d '2001-02-03 04:05:06.123456789' a/f4096 a/b/h1
            touch -h -d '1999-12-31 23:59:58' a/abs
            touch -d '2010-01-01 00:00:00' a/b/c a
            cat > $S/manifest <<'EOF'
            #!/bin/bash
            # name, type, mode, owner, size (not for directories: their size is the file system's), links, mtime, target
            cd "$2" && find . -printf '%p %y %m %U:%G %n %T@ %l|' -type d -printf '\\n' -o -printf '%s\\n' | LC_ALL=C sort > "$1"
            EOF
            chmod +x $S/manifest
            """;

    @BeforeEach
    void tools() throws Exception {
        GfsMount.requireTools("diff", "tar", "rsync", "find", "git");
    }

    @Test
    void cpTarAndFindKeepContentModesTimesAndLinks() throws Exception {
        fs.formatImage(256);
        fs.mount();
        fs.sh(TREE).ok("making the tree");
        fs.sh("""
                cp -a $S/src $M/cp
                diff -r --no-dereference $S/src $M/cp
                $S/manifest $S/want $S/src; $S/manifest $S/got $M/cp
                diff $S/want $S/got
                test "$(stat -c %i $M/cp/a/b/h1)" = "$(stat -c %i $M/cp/a/c-h3)"
                (cd $M/cp && tar --format=posix -cf - .) | (mkdir $M/untar && cd $M/untar && tar xf -)
                $S/manifest $S/tar $M/untar; diff $S/want $S/tar
                (cd $M && tar --format=posix -cf $M/cp.tar cp) && mkdir $S/back && tar xf $M/cp.tar -C $S/back
                diff -r --no-dereference $S/src $S/back/cp
                """).ok("cp -a / tar round trip");

        // find agrees with the same query on the source tree.
        String find = "cd %s && touch -d '2005-05-05' $S/ref && "
                + "{ find . -type f; find . -type l; find . -type d; find . -newer $S/ref; find . ! -newer $S/ref;"
                + " find . -size +1000k; find . -size -2; find . -perm -4000; find . -links 3; find . -empty; }"
                + " | LC_ALL=C sort > $S/find.%s";
        fs.sh(String.format(find, "$S/src", "src") + "\n" + String.format(find, "$M/cp", "cp")
                + "\ndiff $S/find.src $S/find.cp\ngrep -c . $S/find.cp").ok("find");

        fs.unmountAndCheck();
        fs.mount();
        fs.sh("$S/manifest $S/again $M/cp && diff $S/want $S/again && diff -r --no-dereference $S/src $M/cp && cmp $M/cp/a/sparse $S/src/a/sparse")
                .ok("the tree after a remount");
        fs.unmountAndCheck();
    }

    @Test
    void rsyncTwiceSecondRunChangesNothing() throws Exception {
        fs.formatImage(256);
        fs.mount();
        fs.sh(TREE).ok("making the tree");
        GfsMount.Result first = fs.sh("rsync -aH --itemize-changes $S/src/ $M/r/ | wc -l").ok("first rsync");
        assertTrue(Integer.parseInt(first.out().trim()) > 300, "the first rsync copies the tree: " + first.out());
        GfsMount.Result second = fs.sh("rsync -aH --itemize-changes $S/src/ $M/r/").ok("second rsync");
        assertEquals("", second.out(), "a second rsync -a finds nothing to change");
        GfsMount.Result checksum = fs.sh("rsync -aHc --dry-run --itemize-changes $S/src/ $M/r/").ok("rsync -c");
        assertEquals("", checksum.out(), "rsync -c finds no content difference");
        // And back out of the mount: what rsync reads from gfs2j is the tree.
        fs.sh("rsync -aH $M/r/ $S/out/ && $S/manifest $S/want $S/src && $S/manifest $S/got $S/out && diff $S/want $S/got")
                .ok("rsync out of the mount");
        fs.unmountAndCheck();
    }

    @Test
    void gitRepositoryCommitBranchMergeFsckGc() throws Exception {
        fs.formatImage(256);
        fs.mount();
        GfsMount.Result git = fs.sh("""
                export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME=$S
                git init -q -b main $M/repo && cd $M/repo
                git config user.email e2e@gfs2j.test && git config user.name e2e && git config gc.auto 0
                for i in $(seq 1 25); do
                  echo "line $i" >> f$((i % 7)); head -c $((i * 997)) /dev/urandom > blob$((i % 5))
                  git add -A && git commit -qm "commit $i"
                done
                git checkout -qb topic; mkdir -p sub/dir; echo topic > sub/dir/t; git mv f1 sub/f1; git rm -q f2
                git add -A && git commit -qm topic
                git checkout -q main; echo more >> f3; git commit -qam main-side
                git merge -q --no-edit topic
                git fsck --strict
                git gc -q --aggressive --prune=now
                git fsck --full --strict
                test -z "$(find .git/objects -type f -path '*/objects/[0-9a-f][0-9a-f]/*')"
                echo commits=$(git rev-list --count HEAD) branches=$(git branch | wc -l) head=$(git rev-parse HEAD)
                git status --porcelain | wc -l
                """).ok("git workload");
        assertTrue(git.out().contains("commits=28 branches=2"), git.out());
        String head = git.out().replaceAll("(?s).*head=([0-9a-f]{40}).*", "$1");
        fs.unmountAndCheck();

        fs.mount();
        GfsMount.Result clone = fs.sh("export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME=$S\n"
                + "git -C $M/repo fsck --full --strict && git clone -q $M/repo $S/clone && git -C $S/clone rev-parse HEAD"
                + " && diff -r -x .git $M/repo $S/clone && echo same").ok("clone after remount");
        assertTrue(clone.out().contains(head + "\nsame"), clone.out());
        fs.unmountAndCheck();
    }
}
