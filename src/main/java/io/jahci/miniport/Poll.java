package io.jahci.miniport;

import java.util.function.BooleanSupplier;

/** Register polling with a deadline, for bring-up and recovery (never on the I/O hot path). */
final class Poll {
    private Poll() {}

    /** Checks {@code condition} every millisecond until it holds or {@code millis} pass. */
    static boolean until(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            sleepMillis(1);
        }
        return true;
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
