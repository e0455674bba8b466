package io.jahci.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The release helper every transport uses: every step runs, every failure is named. */
class ReleaseTest {
    @Test
    void everyStepRunsAfterAFailureAndDoneNamesEachFailedStep() {
        List<String> ran = new ArrayList<>();
        Release r = new Release("0000:00:05.0");
        r.step("disabling the interrupt", () -> {
            ran.add("irq");
            throw new IOException("EBADF");
        });
        r.step("clearing bus master", () -> ran.add("bus master"));
        r.step("closing fd 7", () -> {
            ran.add("close");
            throw new IllegalStateException("EIO");
        });
        assertEquals(List.of("irq", "bus master", "close"), ran);
        Release.ReleaseException e = assertThrows(Release.ReleaseException.class, r::done);
        assertEquals("releasing 0000:00:05.0: disabling the interrupt: EBADF; closing fd 7: EIO", e.getMessage());
        assertTrue(e.getCause() instanceof IOException, "the first failure is the cause");
    }

    @Test
    void aCleanReleaseIsSilent() {
        Release r = new Release("x");
        r.step("nothing", () -> {});
        r.done();
        assertEquals(List.of(), r.failures());
    }

    /** A transport that records what happened to it. */
    private static final class FakeTransport implements ReleaseOnExit.Releasable {
        final List<String> events = new ArrayList<>();

        @Override
        public void releaseAtExit() {
            events.add("releaseAtExit");
        }

        @Override
        public void close() {
            events.add("close");
            ReleaseOnExit.unregister(this);
        }
    }

    @Test
    void aFailedOpenClosesWhatItOpenedAndRethrows() {
        FakeTransport t = new FakeTransport();
        IOException failure = new IOException("VFIO_GROUP_SET_CONTAINER: EBUSY");
        IOException thrown = assertThrows(IOException.class, () -> ReleaseOnExit.open(t, x -> {
            x.events.add("opened the container");
            throw failure;
        }));
        assertSame(failure, thrown);
        assertEquals(List.of("opened the container", "close"), t.events);
    }

    @Test
    void aSuccessfulOpenReturnsTheTransportRegisteredForReleaseAtExit() throws IOException {
        FakeTransport t = new FakeTransport();
        assertSame(t, ReleaseOnExit.open(t, x -> x.events.add("opened")));
        assertTrue(ReleaseOnExit.isRegistered(t), "registered for the shutdown hook");
        t.close();
        assertTrue(!ReleaseOnExit.isRegistered(t), "unregistered by close");
    }
}
