/**
 * Text output of the admin's read-only verbs (ls, stat, getfattr, show) and the
 * {@link org.gfs2j.fs.inspect.ManifestWriter} that renders an image in the format of the kernel
 * image manifests (shared/images/README.md), for tests comparing images with models.
 */
package org.gfs2j.fs.inspect;
