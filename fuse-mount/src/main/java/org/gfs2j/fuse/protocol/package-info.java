/**
 * The FUSE kernel protocol (7.45) as bytes: opcode table, request framing and bounds-checked body
 * decoding with typed errors, reply and notification encoders, INIT negotiation, constants.
 * No threads, no I/O.
 */
package org.gfs2j.fuse.protocol;
