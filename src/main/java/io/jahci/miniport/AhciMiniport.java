package io.jahci.miniport;

import io.jahci.ataport.Channel;
import io.jahci.ataport.ChannelConfiguration;
import io.jahci.ataport.ControlAction;
import io.jahci.ataport.IoRequest;
import io.jahci.ataport.Miniport;

/**
 * The AHCI miniport's channel interface: what the port layer calls for one AHCI port. Each
 * callback hands over to the channel extension, {@link AhciPort}, at the level the port layer
 * guarantees (see {@link io.jahci.ataport.Channel} for the table).
 */
final class AhciMiniport implements Miniport<AhciPort> {
    private final AhciHba hba;
    private final AhciPort port;
    private final boolean syncWithIsr;

    AhciMiniport(AhciHba hba, AhciPort port, boolean syncWithIsr) {
        this.hba = hba;
        this.port = port;
        this.syncWithIsr = syncWithIsr;
    }

    /** AtaChannelInitRoutine, PASSIVE: binds the prepared extension and chooses SyncWithIsr. */
    @Override
    public AhciPort channelInit(Channel<AhciPort> channel, ChannelConfiguration configuration) {
        configuration.syncWithIsr(syncWithIsr);
        port.bind(channel, hba.portDriver());
        return port;
    }

    /** IdeHwInitialize: DIRQL with SyncWithIsr, else DISPATCH. */
    @Override
    public boolean initialize(AhciPort ext) {
        return ext.initialize();
    }

    /** IdeHwBuildIo: the submitter's thread, no lock. */
    @Override
    public boolean buildIo(AhciPort ext, IoRequest request) {
        return ext.buildIo((AhciCommand) request.payload());
    }

    /** IdeHwStartIo: DIRQL with SyncWithIsr, else DISPATCH; channel lock held. */
    @Override
    public boolean startIo(AhciPort ext, IoRequest request) {
        return ext.startIo((AhciCommand) request.payload());
    }

    /** IdeHwInterrupt: DIRQL on the interrupt thread. All ports share AHCI's one vector. */
    @Override
    public boolean interrupt(AhciPort ext) {
        return hba.portInterrupt(ext);
    }

    /**
     * The completion poll of a polling completion mode: DIRQL on a polling thread; this port only,
     * leaving the HBA's IS to the ISR (completion interrupts are masked, so IS only carries errors
     * and link changes).
     */
    @Override
    public boolean poll(AhciPort ext) {
        return ext.slotTable().poll();
    }

    /**
     * IdeHwReset: DIRQL with SyncWithIsr, else DISPATCH. COMRESET polls and sleeps, which these
     * levels forbid, so Reset asks for the recovery work item with a forced COMRESET.
     */
    @Override
    public boolean reset(AhciPort ext) {
        ext.reset();
        return true;
    }

    /** IdeHwControl: Start/StopChannel at PASSIVE; PowerUp/PowerDown at DISPATCH (nothing to do: no link power management). */
    @Override
    public boolean control(AhciPort ext, ControlAction action) {
        return switch (action) {
            case START_CHANNEL -> ext.startChannel();
            case STOP_CHANNEL -> ext.stopChannel();
            case POWER_UP, POWER_DOWN -> true;
        };
    }
}
