package org.gfs2j.bench.fs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The targets {@code gfs2j bench fs} knows, by name, in the order they run and appear in the
 * report. A new target is one {@link #register} line.
 */
public final class TargetRegistry {
    private final Map<String, Function<TargetOptions, Target>> factories = new LinkedHashMap<>();

    /** gfs2j (the subject), then its peers: kernel ext4 and bindfs over ext4. */
    public static TargetRegistry standard() {
        TargetRegistry r = new TargetRegistry();
        r.register(Gfs2jTarget.NAME, Gfs2jTarget::new);
        r.register(Ext4Target.NAME, Ext4Target::new);
        r.register(BindfsTarget.NAME, BindfsTarget::new);
        return r;
    }

    public TargetRegistry register(String name, Function<TargetOptions, Target> factory) {
        factories.put(name, factory);
        return this;
    }

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    /** Creates the named targets, in the order given; an unknown name is a usage error. */
    public List<Target> create(List<String> names, TargetOptions options) {
        List<Target> out = new ArrayList<>();
        for (String n : names) {
            Function<TargetOptions, Target> f = factories.get(n);
            if (f == null) {
                throw new IllegalArgumentException("unknown target '" + n + "' (known: "
                        + String.join(", ", factories.keySet()) + ")");
            }
            out.add(f.apply(options));
        }
        return out;
    }
}
