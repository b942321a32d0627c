package org.gfs2j.fs.meta;

/** A run of {@code length} logical blocks starting at {@code logical}, stored at device blocks {@code device}.. . */
public record Extent(long logical, long device, long length) {
    public long logicalEnd() {
        return logical + length;
    }

    public long deviceEnd() {
        return device + length;
    }
}
