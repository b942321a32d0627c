/**
 * Extended attributes and POSIX ACLs on the read-write file system.
 *
 * <ul>
 * <li>{@link org.gfs2j.fs.xattr.XattrOperations}: what ReadWriteGfs2Vfs calls: setxattr,
 * removexattr (glocks, rgrp locks, one transaction each) and the create/chmod ACL hooks.
 * <li>{@link org.gfs2j.fs.xattr.XattrWriter}: the on-disk changes inside a transaction, in the
 * Linux kernel's EA layout (spec 9).
 * <li>{@link org.gfs2j.fs.xattr.AclRules}: posix_acl_create / posix_acl_chmod /
 * posix_acl_update_mode and ACL value validation.
 * <li>{@link org.gfs2j.fs.xattr.XattrName}: Linux names to GFS2 namespace codes, with Linux's
 * errnos.
 * </ul>
 *
 * Reading stays in {@link org.gfs2j.fs.meta.XattrReader}; freeing an inode's attribute blocks
 * when the inode goes is the deallocation code's job.
 */
package org.gfs2j.fs.xattr;
