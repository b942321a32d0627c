package org.gfs2j.cli;

import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.inspect.XattrText;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Xattr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "getfattr", mixinStandardHelpOptions = true,
        description = {"Print the extended attributes of a path of a GFS2 image in `getfattr -h -d -m -` format,",
                "followed by any POSIX ACLs decoded as getfacl text."})
final class GetfattrCommand extends ImageVerb {
    @Parameters(index = "1", paramLabel = "PATH", description = "Path inside the file system")
    String path;

    @Override
    public Integer call() throws Exception {
        try (FileSystemReader fs = open()) {
            List<Xattr> attrs = XattrText.sorted(fs.xattrs(fs.resolve(path)).list());
            List<String> lines = new ArrayList<>();
            if (!attrs.isEmpty()) {
                String shown = path.replaceFirst("^/+", "");
                lines.add(XattrText.fileHeader(shown.isEmpty() ? "." : shown));
                for (Xattr x : attrs) {
                    lines.add(XattrText.line(x));
                }
                lines.add("");
                for (Xattr x : attrs) {
                    if (XattrText.isAcl(x)) {
                        lines.add("# acl: " + x.linuxName());
                        lines.addAll(XattrText.aclLines(x));
                        lines.add("");
                    }
                }
            }
            print(lines);
        }
        return Gfs2jCommand.EXIT_OK;
    }
}
