package io.jahci.miniport;

/**
 * Where an {@link AhciPort} is in its life, and how it gets from one state to the next. The
 * routines named are {@link AhciPort}'s (StartChannel, Initialize, StopChannel, StartIo), its
 * {@link SlotTable}'s (ISR, timer) and {@link PortRecovery}'s (the recovery work item).
 *
 * <pre>
 *              StartChannel (PASSIVE): stop engines, program PxCLB/PxFB, FRE, spin up,
 *   STOPPED ─► wait PxSSTS.DET=3 (COMRESET once if not, §10.4.2), wait BSY/DRQ clear, read PxSIG
 *      ▲          │ no link            │ not ATA/ATAPI               │ ATA disk or ATAPI device
 *      │          ▼                    ▼                             ▼
 *      │      NO_DEVICE ◄──┐  UNSUPPORTED_DEVICE        Initialize (DIRQL/DISPATCH): clear PxIS,
 *      │          │        │                            PxSERR, set PxIE, set PxCMD.ST (§10.3.1)
 *      │          │ link   │ link lost                               │
 *      │ Stop-    │ change │ (PRCS)                                  ▼
 *      │ Channel  └────────┼───── recovery brings it up ───────►  READY ◄─────────────────────┐
 *      │                   │      and IDENTIFYs it       StartIo: │  ▲ ISR: PxCI/PxSACT bits  │
 *      │                   │                        slots, PxSACT,│  │ clear → completeRequest │
 *      │                   │                                 PxCI ▼  │                         │
 *      │                   │                                 (commands in slots 0..depth-1)    │
 *      │                   │     ISR: PxIS error bit (§6.1), link change; timer: a command     │
 *      │                   │     past its deadline → worker routine → work item (PASSIVE):     │
 *      │                   │                                      ▼                            │
 *      │                   └────────────────────────────── RECOVERING: empty the slots; stop   │
 *      │     clear ST, wait CR; clear PxSERR, PxIS; COMRESET if BSY/DRQ stay set, the link     │
 *      │     changed or Reset asked; set ST (§6.2.2). After an NCQ error, first restart without│
 *      │     COMRESET and READ LOG EXT 10h; no log → COMRESET. Then each command that was in a │
 *      │     slot: timed out → fails; the only, non-queued one → fails with its status; the tag│
 *      │     the log names → fails with the log's status; otherwise retried alone as           │
 *      │     non-queued DMA: succeeds → completes, fails → fails with its own status ─────────┘
 *      │                          │ device busy after COMRESET
 *      └──────────────────────  FAILED
 * </pre>
 *
 * <p>The states, and what holds in each once the routine that entered it has returned (MINIX
 * style). Every change of state goes through {@link AhciPort#enter}, which checks it against the
 * last column ({@link #mayBecome}) and throws an {@link IllegalStateException} naming both states
 * otherwise.
 *
 * <pre>
 * state               PxCMD.ST / FRE   PxIE   command timer        accepts I/O        may become
 * ------------------  ---------------  -----  -------------------  -----------------  --------------------------------
 * STOPPED             0 / 0            0      off                  no                 any: StartChannel's outcomes;
 *                                                                                     RECOVERING, READY, ... when a
 *                                                                                     recovery work item runs late
 * NO_DEVICE           0 / 1            set    off                  no (NoDevice-      RECOVERING (link change),
 *                                                                  Exception)         STOPPED, FAILED (engines stuck)
 * UNSUPPORTED_DEVICE  1 / 1            set    off                  no                 RECOVERING, STOPPED, FAILED
 * READY               1 / 1            set    armed while a slot   yes                any (recovery restarts twice,
 *                     (0 until         (0     is busy                                 then finds the disk gone or
 *                     Initialize)      until)                                         a new, non-ATA one)
 * RECOVERING          0 while it       set    off                  queued: StartIo    RECOVERING, READY, FAILED,
 *                     restarts, then 1                             answers busy       NO_DEVICE, STOPPED
 * FAILED              0 / 0 or 1       set    off                  no                 any (a new StartChannel; a
 *                                      or 0                                           restart that works)
 * </pre>
 */
public enum PortState {
    /** PxCMD.ST and FRE clear: the port processes nothing. */
    STOPPED,
    /** No device answered: PxSSTS.DET never reached 3, even after COMRESET. */
    NO_DEVICE,
    /** A device is present but it is neither an ATA disk nor an ATAPI device (port multiplier, enclosure). */
    UNSUPPORTED_DEVICE,
    /** ST set, device ready: commands are taken (up to the queue depth in flight). */
    READY,
    /** An error or timeout is being recovered from (AHCI 1.3.1 §6.2.2). */
    RECOVERING,
    /** Recovery did not bring the device back; only a new start can. */
    FAILED;

    /** Whether this state may become {@code next}: the table's last column. */
    boolean mayBecome(PortState next) {
        return switch (this) {
            case STOPPED, READY, FAILED -> true;
            case NO_DEVICE, UNSUPPORTED_DEVICE -> next == RECOVERING || next == STOPPED || next == FAILED;
            case RECOVERING -> next != UNSUPPORTED_DEVICE;
        };
    }
}
