package io.jahci.cli;

import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@code --device qemu:IMG,...,profile=NAME}: a chip profile from the command line, and its mistakes. */
class ProfileCliTest {
    @TempDir
    Path dir;

    @Test
    @Tag("qemu")
    void identifyNamesTheChipItsQuirksAndEveryPortsState() throws Exception {
        Path image = Images.create(dir, "a.img", 4 << 20);
        CliRun r = CliRun.of("--device", "qemu:" + image + ",profile=jmb363,nolink=1", "identify");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("as jmb363 (JMicron JMB363, 197b:2363)"), r.out());
        assertTrue(r.out().contains("AHCI 1.0, 2 ports (PI=00000003)"), r.out());
        assertTrue(r.out().contains("chip: JMicron JMB36x; quirks: ignore-if-error (not applied: "), r.out());
        assertTrue(r.out().contains("port 0: QEMU HARDDISK"), r.out());
        assertTrue(r.out().contains("port 1: NO_DEVICE (empty)"), r.out());
    }

    @Test
    void anUnknownProfileIsRefusedNamingTheKnownOnes() {
        CliRun r = CliRun.of("--device", "qemu:a.img,profile=nosuch", "identify");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("unknown controller profile 'nosuch': use one of ich9, intel-pch, amd-fch, "
                + "asm1062, jmb363, marvell-9128, ahci10-min"), r.err());
    }

    @Test
    void moreImagesThanTheChipHasConnectedPortsAreRefused() {
        CliRun r = CliRun.of("--device", "qemu:a.img,b.img,c.img,profile=asm1062", "identify");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("3 images, but profile asm1062 has 2 connected ports [0, 1]"), r.err());
    }

    @Test
    void profileOptionsAreCheckedBeforeAnythingStarts() {
        CliRun spin = CliRun.of("--device", "qemu:a.img,profile=ich9,spinup=fast", "identify");
        assertEquals(2, spin.exit(), spin.err());
        assertTrue(spin.err().contains("spinup=fast: spinup takes seconds from 0 to 60, e.g. spinup=5"), spin.err());
        CliRun port = CliRun.of("--device", "qemu:a.img,profile=asm1062,nolink=4", "identify");
        assertEquals(2, port.exit(), port.err());
        assertTrue(port.err().contains("nolink=4: profile asm1062 does not implement port 4"), port.err());
        CliRun alone = CliRun.of("--device", "qemu:a.img,spinup=5", "identify");
        assertEquals(2, alone.exit(), alone.err());
        assertTrue(alone.err().contains("'spinup=5' needs profile=NAME"), alone.err());
    }
}
