package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A writable MAP_SHARED mapping of a gfs2j file in two processes: what the first stores (across
 * page boundaries, up to the last byte) the second sees in its own mapping, and the first sees the
 * second's store; after msync and an unmount the bytes are on the device, read back without
 * mounting ({@code gfs2j cat}).
 */
class SharedMmapTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    private static final String SCRIPT = """
            import mmap, os, subprocess, sys
            path, size = sys.argv[1], 1 << 20
            offsets = (0, 4090, 8192, 500000, size - 7)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            os.ftruncate(fd, size)
            m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            for off in offsets:
                m[off:off + 7] = b'writer!'
            other = '''
            import mmap, os, sys
            fd = os.open(sys.argv[1], os.O_RDWR)
            m = mmap.mmap(fd, 1 << 20, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            print('other sees', sorted({bytes(m[o:o + 7]).decode() for o in %r}))
            m[100:106] = b'reader'
            m.flush()
            '''
            out = subprocess.run([sys.executable, '-c', other % (offsets,), path], capture_output=True, text=True, check=True)
            print(out.stdout.strip())
            print('first sees', bytes(m[100:106]).decode())
            m.flush()
            m.close()
            os.close(fd)
            """;

    @Test
    void twoProcessesShareAWritableMapping() throws Exception {
        GfsMount.requireTools("python3");
        fs.formatImage(256);
        fs.mount();
        Files.writeString(fs.scratch().resolve("shared_map.py"), SCRIPT);
        GfsMount.Result r = fs.sh("python3 $S/shared_map.py $M/shared").ok("shared mmap");
        assertEquals("other sees ['writer!']\nfirst sees reader\n", r.out());
        fs.unmountAndCheck();

        byte[] want = new byte[1 << 20];
        for (int off : new int[] {0, 4090, 8192, 500000, (1 << 20) - 7}) {
            System.arraycopy("writer!".getBytes(), 0, want, off, 7);
        }
        System.arraycopy("reader".getBytes(), 0, want, 100, 6);
        byte[] got = GfsMount.gfs2jBytes("cat", fs.device().toString(), "/shared");
        assertArrayEquals(want, got, "the mapped stores are on the device");
    }
}
