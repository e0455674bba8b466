package io.jahci.disk;

import io.jahci.ahci.Cap;
import io.jahci.chip.ChipProfile;
import io.jahci.chip.ChipProfiles;
import io.jahci.chip.ProfileTransport;
import io.jahci.fault.PortException;
import io.jahci.nbd.NbdExport;
import io.jahci.nbd.NbdServer;
import io.jahci.testing.ClientTools;
import io.jahci.testing.Images;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every chip profile, end to end through the public API: bring-up and identify, a pattern verify over
 * the whole disk at the chip's queue depth, jahci serve with an nbdcopy round trip, the disk unplugged
 * and plugged back, and a surface scan that finds exactly the sectors blkdebug fails. The profile shim
 * refuses nothing throughout.
 */
@Tag("qemu")
class ProfileMatrixQemuTest {
    private static final long WAIT_MILLIS = 30_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void bringUpIdentifyVerifyServeHotPlugAndScan(ChipProfile profile) throws Exception {
        Path image = Images.create(dir, "m.img", 8 << 20);
        int port = profile.diskPorts().get(0);
        int depth = Cap.SNCQ.isSet(profile.cap()) ? Math.min(32, Cap.commandSlots(profile.cap())) : 1;
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:" + image + ",profile=" + profile.name()),
                OpenOptions.readWrite())) {
            assertTrue(c.describe().contains("as " + profile.name() + " ("), c.describe());
            assertEquals(profile.portsImplemented(), c.capabilities().portsImplemented());
            Disk disk = c.disk(port);
            assertEquals("QEMU HARDDISK", disk.identity().model());
            assertEquals(depth, disk.queueDepth(), "the chip's depth: NCQ within CAP.NCS, or one command");

            PatternVerify.Result verified = PatternVerify.run(disk, 0, disk.sectors(), depth, 5, (b, d, t, m) -> { });
            assertTrue(verified.passed(), verified.mismatches().toString());

            Path in = dir.resolve("in.bin");
            Files.write(in, Images.random(profile.name().hashCode(), 8 << 20));
            serveAndCopy(disk, in);

            ProfileTransport chip = (ProfileTransport) c.transport();
            chip.unplug(port);
            await(() -> condition(c, port) == PortCondition.NO_DEVICE, "port " + port + " reports the disk gone");
            PortException gone = assertThrows(PortException.class, () -> disk.read(0, ByteBuffer.allocate(512)));
            assertTrue(gone.getMessage().contains("no disk is attached"), gone.getMessage());
            chip.plug(port);
            await(() -> arrived(c, port, disk), "port " + port + " has the disk back, identified");
            ByteBuffer back = ByteBuffer.allocate(64 << 10);
            c.disk(port).read(4096, back);
            assertArrayEquals(Images.read(in, 4096L * 512, 64 << 10), back.array(), "the returning disk reads as written");
            assertEquals(List.of(), chip.violations(), "the chip refused nothing");
        }
        Path rules = dir.resolve("bad.conf");
        Files.writeString(rules, "[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"1000\"\n\n"
                + "[inject-error]\nevent = \"read_aio\"\nerrno = \"5\"\nsector = \"5000\"\n");
        try (Controller c = Controller.open(DeviceSpec.parse("qemu:blkdebug:" + rules + ":" + image + ",profile="
                + profile.name()), OpenOptions.readOnly())) {
            Disk disk = c.disk(port);
            SurfaceScan.Result scan = SurfaceScan.run(disk, 0, disk.sectors(), depth, (s, t, b) -> { });
            assertEquals(List.of(new SurfaceScan.BadRange(1000, 1), new SurfaceScan.BadRange(5000, 1)), scan.bad());
            assertEquals(List.of(), ((ProfileTransport) c.transport()).violations(), "the chip refused nothing");
        }
    }

    static List<ChipProfile> profiles() {
        return ChipProfiles.ALL;
    }

    /** nbdcopy {@code in} to the disk served over NBD, and the whole export back out: byte for byte. */
    private void serveAndCopy(Disk disk, Path in) throws Exception {
        Path socket = dir.resolve("nbd.sock");
        StringWriter log = new StringWriter();
        try (NbdServer server = new NbdServer(List.of(new NbdExport(disk, List.of("disk"), true)),
                new PrintWriter(log, true))) {
            server.listenUnix(socket);
            server.start();
            String uri = "nbd+unix:///disk?socket=" + socket;
            ClientTools.run("nbdcopy", in.toString(), uri).ok();
            Path out = dir.resolve("out.bin");
            ClientTools.run("nbdcopy", uri, out.toString()).ok();
            assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(out), "nbdcopy there and back");
            assertTrue(server.shutdown(), log.toString());
        }
    }

    private static PortCondition condition(Controller c, int port) {
        return c.ports().stream().filter(p -> p.port() == port).findFirst().orElseThrow().state();
    }

    /** Whether a disk other than {@code gone} is on {@code port}: announced once identified. */
    private static boolean arrived(Controller c, int port, Disk gone) {
        try {
            return c.disk(port) != gone;
        } catch (java.util.NoSuchElementException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + WAIT_MILLIS + " ms");
            Thread.sleep(10);
        }
    }
}
