package org.gfs2j.cli;

import org.gfs2j.fs.inspect.InodeReport;
import org.gfs2j.fs.meta.FileSystemReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "stat", mixinStandardHelpOptions = true,
        description = "Print every dinode field of a path of a GFS2 image (symlinks not followed).")
final class StatCommand extends ImageVerb {
    @Parameters(index = "1", paramLabel = "PATH", description = "Path inside the file system")
    String path;

    @Override
    public Integer call() throws Exception {
        try (FileSystemReader fs = open()) {
            print(InodeReport.stat(fs, fs.resolve(path), path));
        }
        return Gfs2jCommand.EXIT_OK;
    }
}
