package dev.uloop.internal.util;

/**
 * How the growing tables (fd-indexed arrays, request queues, result lists) grow: to at
 * least what is needed and at least double, without overflowing an int.
 */
public final class Grow {
    private Grow() {}

    /** The largest array length the JVM reliably allocates. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    /**
     * The new length of an array of {@code current} elements that must hold index
     * {@code needed - 1}.
     *
     * @param current the length now
     * @param needed  the length needed (more than {@code current})
     * @return at least {@code needed}, usually {@code 2 * current}
     * @throws IllegalArgumentException when {@code needed} is beyond what an array holds
     */
    public static int length(int current, int needed) {
        if (needed < 0 || needed > MAX_LENGTH) {
            throw new IllegalArgumentException("cannot grow a table to " + Integer.toUnsignedString(needed)
                    + " entries");
        }
        int doubled = current > MAX_LENGTH / 2 ? MAX_LENGTH : Math.max(current * 2, 1);
        return Math.max(needed, doubled);
    }
}
