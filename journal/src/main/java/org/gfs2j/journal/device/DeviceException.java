package org.gfs2j.journal.device;

import java.io.IOException;

/** A device cannot be used as asked; the message says why in terms an admin can act on. */
public class DeviceException extends IOException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
