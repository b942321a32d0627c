package org.gfs2j.journal.format;

/**
 * The GFS2 metadata block types with the format number each carries in its meta header
 * (spec/gfs2-format.md section 2). Type 13 is unused on disk.
 */
public enum MetaType {
    SB(1, 100, "superblock"),
    RG(2, 200, "resource group header"),
    RB(3, 300, "resource group bitmap"),
    DI(4, 400, "dinode"),
    IN(5, 500, "indirect block"),
    LF(6, 600, "directory leaf"),
    JD(7, 700, "journaled data block"),
    LH(8, 800, "log header"),
    LD(9, 900, "log descriptor"),
    EA(10, 1600, "extended attribute block"),
    ED(11, 1700, "extended attribute data block"),
    LB(12, 1000, "log block"),
    QC(14, 1400, "quota change block");

    private final int type;
    private final int format;
    private final String description;

    MetaType(int type, int format, String description) {
        this.type = type;
        this.format = format;
        this.description = description;
    }

    public int type() {
        return type;
    }

    public int format() {
        return format;
    }

    public String description() {
        return description;
    }

    /** The block type with this {@code mh_type} value, or null when there is none. */
    public static MetaType ofType(int type) {
        for (MetaType t : values()) {
            if (t.type == type) {
                return t;
            }
        }
        return null;
    }
}
