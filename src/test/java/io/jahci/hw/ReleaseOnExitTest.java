package io.jahci.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shutdown hook's order: a transport's quiesce action (the HBA stopping its engines) before its release. */
class ReleaseOnExitTest {
    /** A transport released at exit that records what happened to it, and unregisters as the real ones do. */
    private static final class Recorded implements ReleaseOnExit.Releasable {
        final List<String> log;

        Recorded(List<String> log) {
            this.log = log;
        }

        @Override
        public void releaseAtExit() {
            log.add("release");
            ReleaseOnExit.unregister(this);
        }

        @Override
        public void close() {
            ReleaseOnExit.unregister(this);
        }
    }

    @Test
    @DisplayName("At exit the quiesce action runs before the release (bus master off, memory gone), even when it fails")
    void quiesceRunsBeforeTheRelease() {
        List<String> log = new ArrayList<>();
        Recorded stopped = new Recorded(log);
        Recorded failing = new Recorded(new ArrayList<>());
        ReleaseOnExit.register(stopped);
        ReleaseOnExit.beforeRelease(stopped, () -> log.add("quiesce"));
        ReleaseOnExit.register(failing);
        ReleaseOnExit.beforeRelease(failing, () -> {
            failing.log.add("quiesce");
            throw new IllegalStateException("register write failed");
        });
        ReleaseOnExit.releaseAll();
        assertEquals(List.of("quiesce", "release"), log);
        assertEquals(List.of("quiesce", "release"), failing.log, "a failed quiesce does not skip the release");
        assertFalse(ReleaseOnExit.isRegistered(stopped));
    }

    @Test
    @DisplayName("A transport closed normally leaves no quiesce action behind")
    void closeDropsTheQuiesceAction() {
        List<String> log = new ArrayList<>();
        Recorded closed = new Recorded(log);
        ReleaseOnExit.register(closed);
        ReleaseOnExit.beforeRelease(closed, () -> log.add("quiesce"));
        closed.close();
        ReleaseOnExit.register(closed);   // registered again (a second open): the old action must be gone
        ReleaseOnExit.releaseAll();
        assertEquals(List.of("release"), log);
    }
}
