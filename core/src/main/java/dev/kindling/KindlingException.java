package dev.kindling;

/**
 * An error the user can act on: bad input, bad configuration, a file that cannot be read.
 * The message names the file, field and value involved; launchers print it alone (no stack
 * trace) and exit with a non-zero code.
 */
public class KindlingException extends RuntimeException {
    public KindlingException(String message) {
        super(message);
    }

    public KindlingException(String message, Throwable cause) {
        super(message, cause);
    }
}
