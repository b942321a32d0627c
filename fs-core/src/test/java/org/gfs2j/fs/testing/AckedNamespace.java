package org.gfs2j.fs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a killed crash workload acknowledged, folded into the state it promises: lines
 * {@code ACK CREATE name fields...}, {@code ACK DELETE name} (fsynced) and {@code DELETING name}
 * (a removal under way when the kill came, so that name may legitimately be gone).
 */
public final class AckedNamespace {
    /** Names whose create was acknowledged and not deleted since, with the fields after the name. */
    public final Map<String, String[]> present = new LinkedHashMap<>();
    /** Names whose delete was acknowledged. */
    public final List<String> deleted = new ArrayList<>();
    /** Names whose removal had started. */
    public final Set<String> maybeDeleted = new HashSet<>();

    public static AckedNamespace of(List<String> acknowledged) {
        AckedNamespace ns = new AckedNamespace();
        for (String line : acknowledged) {
            String[] f = line.split(" ");
            if (f[0].equals("DELETING")) {
                ns.maybeDeleted.add(f[1]);
                continue;
            }
            assertEquals("ACK", f[0], line);
            if (f[1].equals("CREATE")) {
                ns.present.put(f[2], Arrays.copyOfRange(f, 3, f.length));
            } else {
                assertEquals("DELETE", f[1], line);
                ns.present.remove(f[2]);
                ns.deleted.add(f[2]);
            }
        }
        return ns;
    }
}
