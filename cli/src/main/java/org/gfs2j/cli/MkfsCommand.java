package org.gfs2j.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsException;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gfs2j mkfs}: makes a GFS2 file system, with mkfs.gfs2's options and layout. */
@Command(name = "mkfs", mixinStandardHelpOptions = true,
        description = {"Make a GFS2 file system on a block device or image file.",
                "The layout is mkfs.gfs2's: fsck.gfs2, gfs2_edit and the Linux kernel accept it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:file system made", "1:failed (bad value, device missing or too small, existing file system"
                + " without -O)", "2:usage error"})
public final class MkfsCommand implements Callable<Integer> {
    @Option(names = "-b", paramLabel = "BYTES", description = "Block size: 512, 1024, 2048 or 4096 (default ${DEFAULT-VALUE}).")
    int bsize = MkfsOptions.DEFAULT_BSIZE;

    @Option(names = "-j", paramLabel = "N", description = "Number of journals, one per node that mounts (default ${DEFAULT-VALUE}).")
    int journals = 1;

    @Option(names = "-J", paramLabel = "MIB", description = "Size of each journal in MiB, 8..1024 (default: by device size).")
    int journalMiB;

    @Option(names = "-p", paramLabel = "PROTO", description = "Lock protocol: lock_dlm or lock_nolock (default ${DEFAULT-VALUE}).")
    String lockProto = MkfsOptions.LOCK_DLM;

    @Option(names = "-t", paramLabel = "CLUSTER:FSNAME", description = "Lock table, required with lock_dlm.")
    String lockTable = "";

    @Option(names = "-r", paramLabel = "MIB", description = "Resource group size in MiB, 32..2048 (default ${DEFAULT-VALUE}).")
    int rgMiB = MkfsOptions.DEFAULT_RG_MIB;

    @Option(names = "-O", description = "Do not ask before overwriting an existing file system.")
    boolean overwrite;

    @Option(names = "-q", description = "Quiet: print nothing unless there is an error.")
    boolean quiet;

    @Option(names = "-U", paramLabel = "UUID", description = "File-system UUID (default: random).")
    String uuid;

    @Parameters(index = "0", paramLabel = "DEVICE", description = "Block device or image file.")
    Path device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        UUID id = null;
        if (uuid != null) {
            try {
                id = UUID.fromString(uuid);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-U: \"" + uuid + "\" is not a UUID");
            }
        }
        MkfsOptions opts = new MkfsOptions(bsize, journals, journalMiB, lockProto, lockTable, rgMiB, id);
        try {
            opts.validate();
        } catch (IllegalArgumentException e) {
            throw new MkfsException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (BlockDevice dev = BlockDevices.open(device, false, 0)) {
            String existing = existingFileSystem(dev);
            if (existing != null && !overwrite) {
                confirmOverwrite(existing);
            }
            Mkfs.Progress progress = quiet ? Mkfs.Progress.NONE : new StderrProgress(err);
            Mkfs.Result r = Mkfs.format(dev, opts, progress, System.currentTimeMillis() / 1000);
            if (!quiet) {
                printSummary(out, dev, r);
            }
        }
        return Gfs2jCommand.EXIT_OK;
    }

    /** A description of the GFS2 file system already on the device, or null. */
    private static String existingFileSystem(BlockDevice dev) throws java.io.IOException {
        if (dev.size() < Geometry.SB_BYTE_OFFSET + 4096) {
            return null;
        }
        ByteBuffer b = dev.allocate(4096);
        dev.read(Geometry.SB_BYTE_OFFSET, b);
        b.flip();
        if (MetaHeader.typeOf(b, 0) != MetaType.SB) {
            return null;
        }
        try {
            int bs = b.getInt(Superblock.OFF_BSIZE);
            Superblock sb = Superblock.decode(b.limit(Math.min(bs, 4096)).slice(), Geometry.SB_BYTE_OFFSET / Math.max(bs, 1));
            return "a GFS2 file system (" + sb.lockProto() + (sb.lockTable().isEmpty() ? "" : " \"" + sb.lockTable() + "\"")
                    + ", UUID " + sb.uuid() + ")";
        } catch (java.io.IOException | RuntimeException e) {
            return "a GFS2 superblock";
        }
    }

    private void confirmOverwrite(String existing) throws MkfsException {
        Console console = System.console();
        if (console == null) {
            throw new MkfsException(device + " already holds " + existing
                    + "; use -O to overwrite it (no terminal to ask)");
        }
        String answer = console.readLine("%s already holds %s.%nThis will destroy any data on it. Proceed? [y/n] ",
                device, existing);
        if (answer == null || !answer.trim().toLowerCase().startsWith("y")) {
            throw new MkfsException("aborted; " + device + " was not changed");
        }
    }

    private void printSummary(PrintWriter out, BlockDevice dev, Mkfs.Result r) {
        Superblock sb = r.superblock();
        long fsBlocks = r.layout().rgrps().get(r.layout().rgrps().size() - 1).dataEnd();
        out.printf("%-27s%s%n", "Device:", device);
        out.printf("%-27s%d%n", "Block size:", sb.bsize());
        out.printf("%-27s%.2f GB (%d blocks)%n", "Device size:", dev.size() / (double) (1L << 30), dev.size() / sb.bsize());
        out.printf("%-27s%.2f GB (%d blocks)%n", "Filesystem size:", fsBlocks * (double) sb.bsize() / (1L << 30), fsBlocks);
        out.printf("%-27s%d%n", "Journals:", r.layout().journals());
        out.printf("%-27s%dMB%n", "Journal size:", r.journalMiB());
        out.printf("%-27s%d%n", "Resource groups:", r.layout().rgrps().size());
        out.printf("%-27s\"%s\"%n", "Locking protocol:", sb.lockProto());
        out.printf("%-27s\"%s\"%n", "Lock table:", sb.lockTable());
        out.printf("%-27s%s%n", "UUID:", sb.uuid());
        out.flush();
    }

    /** Progress lines on stderr, at most one per step per 10 %. */
    private static final class StderrProgress implements Mkfs.Progress {
        private final PrintWriter err;
        private String step = "";
        private long lastTenth = -1;

        StderrProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void report(String s, long done, long total) {
            long tenth = total == 0 ? 10 : done * 10 / total;
            if (!s.equals(step)) {
                step = s;
                lastTenth = -1;
            }
            if (tenth != lastTenth) {
                lastTenth = tenth;
                err.printf("Writing %s: %d/%d%n", s, done, total);
                err.flush();
            }
        }
    }
}
