/**
 * Mounting and serving: {@link org.gfs2j.fuse.session.FuseMount} mounts with mount(2) and returns a
 * {@link org.gfs2j.fuse.session.FuseSession} (worker threads on cloned /dev/fuse descriptors, the
 * notifier); {@link org.gfs2j.fuse.session.Dispatcher} is the raw layer between the wire and the
 * {@link org.gfs2j.fuse.fs.FileSystem}.
 */
package org.gfs2j.fuse.session;
