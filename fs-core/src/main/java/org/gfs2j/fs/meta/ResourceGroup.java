package org.gfs2j.fs.meta;

import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RgrpHeader;
import org.gfs2j.fs.ondisk.RindexEntry;

/**
 * One resource group: its rindex entry, decoded header (rg_crc verified when non-zero by the
 * codec) and bitmap over the header blocks.
 */
public record ResourceGroup(RindexEntry index, RgrpHeader header, RgrpBitmap bitmap, boolean crcPresent) {
    public long addr() {
        return index.addr();
    }
}
