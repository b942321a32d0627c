/**
 * Read primitives over GFS2 metadata, shared by the offline tools and (later) the mounted file
 * system.
 *
 * <ul>
 * <li>{@link org.gfs2j.fs.meta.BlockSource}: block N to a ByteBuffer; {@link org.gfs2j.fs.meta.DeviceBlockSource}
 *     reads a BlockDevice directly, a cache with glocks can implement the same interface.</li>
 * <li>{@link org.gfs2j.fs.meta.Pointers}: range-checked, type-checked pointer following.</li>
 * <li>{@link org.gfs2j.fs.meta.Inode}: a decoded dinode with its block.</li>
 * <li>{@link org.gfs2j.fs.meta.FileMap}: the pointer tree (any height, holes, extents, per-level
 *     counts; jbsize units for directory hash tables).</li>
 * <li>{@link org.gfs2j.fs.meta.FileReader}, {@link org.gfs2j.fs.meta.SymlinkReader},
 *     {@link org.gfs2j.fs.meta.DirectoryReader}, {@link org.gfs2j.fs.meta.XattrReader}.</li>
 * <li>{@link org.gfs2j.fs.meta.FileSystemReader}: superblock, master and system files, rgrps,
 *     journals (extents and head search), statfs, path resolution.</li>
 * </ul>
 *
 * Every decoding problem surfaces as a {@link org.gfs2j.journal.format.CorruptMetadataException}
 * naming block and field; walks are bounded (sizes checked against tree capacity, cycles
 * detected), so a corrupt image never hangs a reader or makes it allocate without bound.
 */
package org.gfs2j.fs.meta;
