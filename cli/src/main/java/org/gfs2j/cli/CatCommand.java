package org.gfs2j.cli;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.NoSuchPathException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cat", mixinStandardHelpOptions = true,
        description = "Write a file of a GFS2 image to standard output (holes as zeros; symlinks followed).")
final class CatCommand extends ImageVerb {
    private static final int MAX_SYMLINKS = 40;

    @Parameters(index = "1", paramLabel = "PATH", description = "Path of a regular file inside the file system")
    String path;

    @Override
    public Integer call() throws Exception {
        try (FileSystemReader fs = open()) {
            String p = path;
            Inode inode = fs.resolve(p);
            for (int hops = 0; inode.dinode().isSymlink(); hops++) {
                if (hops == MAX_SYMLINKS) {
                    throw new NoSuchPathException(path + ": Too many levels of symbolic links");
                }
                String target = new String(fs.symlinkTarget(inode), StandardCharsets.UTF_8);
                p = target.startsWith("/") ? target : parent(p) + "/" + target;
                inode = fs.resolve(p);
            }
            if (inode.dinode().isDirectory()) {
                throw new NoSuchPathException(path + ": Is a directory");
            }
            if (!inode.dinode().isRegular()) {
                throw new NoSuchPathException(path + ": not a regular file (a device, fifo or socket has no content to read)");
            }
            OutputStream out = System.out;
            fs.file(inode).copyTo(out);
            out.flush();
        }
        return Gfs2jCommand.EXIT_OK;
    }

    private static String parent(String p) {
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? "" : p.substring(0, slash);
    }
}
