package dev.kindling.backend;

import dev.kindling.KindlingException;

/**
 * Run in a child JVM by {@link BackendsTest} with neither the Vector API module nor the
 * OpenBLAS jars: prints what the factory makes of that, one "key=value" per line.
 */
public final class FallbackProbe {
    private FallbackProbe() {
    }

    public static void main(String[] args) {
        System.out.println("auto=" + Backends.create("auto").name());
        System.out.println("java=" + Backends.create("java").name());
        System.out.println("blasAvailable=" + BlasBackend.isAvailable());
        System.out.println("blasReason=" + BlasBackend.unavailableReason());
        try {
            Backends.create("blas");
            System.out.println("blasError=none");
        } catch (KindlingException e) {
            System.out.println("blasError=" + e.getMessage());
        }
    }
}
