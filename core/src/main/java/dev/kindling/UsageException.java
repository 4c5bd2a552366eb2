package dev.kindling;

/** A bad flag or config value: exits with code 2 rather than 1. */
public final class UsageException extends KindlingException {
    public UsageException(String message) {
        super(message);
    }
}
