package io.jahci.miniport;

import io.jahci.ahci.NcqErrorLog;
import io.jahci.ahci.PortIs;
import io.jahci.miniport.PortRecovery.Course;
import io.jahci.miniport.PortRecovery.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Recovery's decisions as pure functions of the cause it captured: no device, no threads. */
class PortRecoveryVerdictTest {
    private static final int TFES = PortIs.TFES.mask();

    private static RecoveryCause cause(int taken, int queued, int errors, int timeouts, boolean linkChange,
                                       boolean comreset) {
        RecoveryCause c = new RecoveryCause();
        c.taken = taken;
        c.queued = queued;
        c.errors = errors;
        c.timeouts = timeouts;
        c.linkChange = linkChange;
        c.comreset = comreset;
        return c;
    }

    private static NcqErrorLog logNaming(int tag) {
        return new NcqErrorLog(false, tag, 0x41, 0x40, 1000, 8);
    }

    @Test
    void aTimedOutCommandFailsAsTimedOutWhateverElseHappened() {
        RecoveryCause c = cause(0b1010, 0b1010, TFES, 0b0010, true, false);
        assertEquals(Verdict.FAIL_TIMED_OUT, PortRecovery.verdict(c, 1, logNaming(1)));
        assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, 3, logNaming(1)), "the other one is not timed out");
    }

    @Test
    void theOnlyNonQueuedCommandFailsWithItsOwnStatus() {
        RecoveryCause c = cause(0b1, 0, TFES, 0, false, false);
        assertTrue(c.unambiguous());
        assertEquals(Verdict.FAIL_WITH_STATUS, PortRecovery.verdict(c, 0, null));
    }

    @Test
    void theOnlyNonQueuedCommandIsRetriedAfterALinkChangeWithoutError() {
        RecoveryCause c = cause(0b1, 0, 0, 0, true, false);
        assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, 0, null));
    }

    @Test
    void aSingleQueuedCommandIsNotUnambiguous() {
        RecoveryCause c = cause(0b100, 0b100, TFES, 0, false, false);
        assertFalse(c.unambiguous());
        assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, 2, null), "no log: retried alone");
        assertEquals(Verdict.FAIL_AS_LOGGED, PortRecovery.verdict(c, 2, logNaming(2)));
    }

    @Test
    void withTheNcqLogOnlyTheNamedTagFailsAndTheOthersAreRetried() {
        RecoveryCause c = cause(0b1110, 0b1110, TFES, 0, false, false);
        NcqErrorLog log = logNaming(2);
        assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, 1, log));
        assertEquals(Verdict.FAIL_AS_LOGGED, PortRecovery.verdict(c, 2, log));
        assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, 3, log));
    }

    @Test
    void withoutTheNcqLogEveryQueuedCommandIsRetriedAlone() {
        RecoveryCause c = cause(0b1110, 0b1110, TFES, 0, false, false);
        for (int slot = 1; slot <= 3; slot++) {
            assertEquals(Verdict.RETRY_ALONE, PortRecovery.verdict(c, slot, null), "slot " + slot);
        }
    }

    @Test
    void onlyAnErrorOnQueuedCommandsAlonePermitsTheRestartWithoutComresetThatReadsTheLog() {
        assertTrue(cause(0b11, 0b11, TFES, 0, false, false).ncqErrorOnly());
        assertFalse(cause(0b1, 0, TFES, 0, false, false).ncqErrorOnly(), "non-queued");
        assertFalse(cause(0b11, 0b11, 0, 0, false, false).ncqErrorOnly(), "no error");
        assertFalse(cause(0b11, 0b11, TFES, 0b01, false, false).ncqErrorOnly(), "a timeout");
        assertFalse(cause(0b11, 0b11, TFES, 0, true, false).ncqErrorOnly(), "a link change");
        assertFalse(cause(0b11, 0b11, TFES, 0, false, true).ncqErrorOnly(), "Reset asked");
    }

    @Test
    void comresetUnlessALoneNonQueuedCommandFailed() {
        assertFalse(cause(0b1, 0, TFES, 0, false, false).mustComreset(), "engine restart is enough");
        assertFalse(cause(0, 0, 0, 0, false, false).mustComreset());
        assertTrue(cause(0b1, 0b1, TFES, 0, false, false).mustComreset(), "queued commands in flight");
        assertTrue(cause(0b1, 0, 0, 0b1, false, false).mustComreset(), "a timeout");
        assertTrue(cause(0, 0, 0, 0, true, false).mustComreset(), "a link change");
        assertTrue(cause(0, 0, 0, 0, false, true).mustComreset(), "Reset");
    }

    @Test
    void theCourseAfterTheRestart() {
        assertEquals(Course.REMOVED, PortRecovery.course(false, PortState.READY, PortState.READY));
        assertEquals(Course.REMOVED, PortRecovery.course(false, PortState.FAILED, PortState.READY), "no link wins");
        assertEquals(Course.REMOVED, PortRecovery.course(true, PortState.RECOVERING, PortState.READY),
                "the restart found no link; it bounced back since: removed, not settled on an unrestarted port");
        assertEquals(Course.FAIL_ALL, PortRecovery.course(true, PortState.FAILED, PortState.READY));
        assertEquals(Course.SETTLE, PortRecovery.course(true, PortState.READY, PortState.READY));
        assertEquals(Course.SETTLE, PortRecovery.course(true, PortState.READY, PortState.RECOVERING));
        assertEquals(Course.ARRIVED, PortRecovery.course(true, PortState.READY, PortState.NO_DEVICE));
        assertEquals(Course.ARRIVED, PortRecovery.course(true, PortState.READY, PortState.UNSUPPORTED_DEVICE));
    }

    @Test
    void theStateTableForbidsWhatTheDiagramDoesNotDraw() {
        assertFalse(PortState.NO_DEVICE.mayBecome(PortState.READY), "only recovery brings a disk up");
        assertFalse(PortState.UNSUPPORTED_DEVICE.mayBecome(PortState.READY));
        assertFalse(PortState.RECOVERING.mayBecome(PortState.UNSUPPORTED_DEVICE));
        assertTrue(PortState.NO_DEVICE.mayBecome(PortState.RECOVERING));
        assertTrue(PortState.READY.mayBecome(PortState.RECOVERING));
        assertTrue(PortState.RECOVERING.mayBecome(PortState.NO_DEVICE));
        for (PortState s : PortState.values()) {
            assertTrue(s.mayBecome(PortState.STOPPED), s + " -> STOPPED (StopChannel)");
            assertTrue(s.mayBecome(PortState.FAILED), s + " -> FAILED");
        }
    }
}
