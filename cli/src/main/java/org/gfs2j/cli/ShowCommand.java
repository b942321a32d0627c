package org.gfs2j.cli;

import java.util.List;
import org.gfs2j.fs.inspect.FsReport;
import org.gfs2j.fs.inspect.InodeReport;
import org.gfs2j.fs.meta.FileSystemReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Show on-disk structures of a GFS2 image:",
                "  sb        the superblock",
                "  rgs       every resource group (addr, length, data0, data, free, dinodes, crc, bitmap counts)",
                "  journals  every journal with size, extents and head (sequence, flags, clean/dirty)",
                "  inode N   the dinode at block N with its block tree"})
final class ShowCommand extends ImageVerb {
    @Parameters(index = "1", paramLabel = "WHAT", description = "sb | rgs | journals | inode")
    String what;

    @Parameters(index = "2", arity = "0..1", paramLabel = "N", description = "block number of the dinode (for inode)")
    String number;

    @Override
    public Integer call() throws Exception {
        long block = -1;
        switch (what) {
            case "sb", "rgs", "journals" -> {
                if (number != null) {
                    throw usage("show " + what + " takes no further argument");
                }
            }
            case "inode" -> {
                if (number == null) {
                    throw usage("show inode needs the dinode's block number N");
                }
                try {
                    block = Long.parseLong(number);
                } catch (NumberFormatException e) {
                    throw usage("'" + number + "' is not a block number");
                }
            }
            default -> throw usage("unknown structure '" + what + "': expected sb, rgs, journals or inode N");
        }
        try (FileSystemReader fs = open()) {
            switch (what) {
                case "sb" -> print(FsReport.superblock(fs));
                case "rgs" -> {
                    List<String> lines = FsReport.resourceGroups(fs);
                    print(lines);
                    if (FsReport.hasErrors(lines)) {
                        return Gfs2jCommand.EXIT_FAILED;
                    }
                }
                case "journals" -> print(FsReport.journals(fs));
                default -> print(InodeReport.show(fs, fs.inode(block)));
            }
        }
        return Gfs2jCommand.EXIT_OK;
    }
}
