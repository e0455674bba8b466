package io.jahci.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jahci.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo} on a device the user named never loses data: it needs --allow-write and --lba, saves the original
 * sectors to a file first, and puts them back after success and after a failure past its write (a blkdebug read
 * error on the read-back), on QEMU's AHCI with images in a temporary directory. Signals: {@link StopSignalsCliTest}.
 */
@Tag("qemu")
class DemoCliTest {
    private static final int IMAGE_BYTES = 8 << 20;
    private static final long LBA = 4096;
    private static final int SECTORS = 2048;

    @TempDir
    Path dir;

    private Path image() throws Exception {
        Path image = Images.create(dir, "d.img", IMAGE_BYTES);
        Images.write(image, 0, Images.random(7, IMAGE_BYTES));
        return image;
    }

    /**
     * blkdebug rules for a read error on the demo's first sector after its pattern write: the first write moves the
     * state from 1 to 2, in which reads of that sector fail with EIO (on every try: the miniport retries a failed
     * command alone). With {@code untilTheNextWrite}, the next write (the restore's) moves the state to 3, whose rule
     * for a sector the demo never reads replaces the active one (blkdebug keeps one set of active rules, replaced
     * whenever an inject-error rule fires), so reads work again.
     */
    private Path readErrorAfterTheWrite(boolean untilTheNextWrite) throws Exception {
        Path rules = dir.resolve("rules.conf");
        String failReads = "[inject-error]\nevent = \"read_aio\"\nstate = \"%d\"\niotype = \"read\"\nerrno = \"5\"\n"
                + "sector = \"%d\"\n\n";
        String text = "[set-state]\nevent = \"write_aio\"\nstate = \"1\"\nnew_state = \"2\"\n\n"
                + String.format(failReads, 2, LBA);
        if (untilTheNextWrite) {
            text += "[set-state]\nevent = \"write_aio\"\nstate = \"2\"\nnew_state = \"3\"\n\n"
                    + String.format(failReads, 3, IMAGE_BYTES / 512 - 1);
        }
        Files.writeString(rules, text);
        return rules;
    }

    @Test
    void onANamedImageItNeedsConsentAndAnLbaAndRestoresItsSectors() throws Exception {
        Path image = image();
        String before = Images.sha256(image);
        String device = "qemu:" + image;
        CliRun noConsent = CliRun.of("--device", device, "demo", "--lba", "4096");
        assertEquals(2, noConsent.exit());
        assertTrue(noConsent.err().contains("add --allow-write and --lba L"), noConsent.err());
        CliRun noLba = CliRun.of("--device", device, "demo", "--allow-write");
        assertEquals(2, noLba.exit());
        assertTrue(noLba.err().contains("--lba L, with L the first of 1 MiB of sectors that hold no data"), noLba.err());
        CliRun pastTheEnd = CliRun.of("--device", device, "demo", "--allow-write", "--lba", "15000");
        assertEquals(2, pastTheEnd.exit());
        assertTrue(pastTheEnd.err().contains("--lba 15000: the demo's 2048 sectors 15000..17047 do not fit on the disk "
                + "on port 0, which has 16384 sectors"), pastTheEnd.err());
        assertEquals(before, Images.sha256(image), "refusals write nothing");

        Path saved = dir.resolve("saved.bin");
        CliRun r = CliRun.of("--device", device, "demo", "--allow-write", "--lba", Long.toString(LBA), "--save",
                saved.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("saved the original 2048 sectors at LBA 4096 of port 0 to " + saved
                + " (if jahci is killed before it puts them back: jahci --device " + device + " write --port 0 --lba 4096 "
                + "--count 2048 --in " + saved + " --allow-write)"), r.out());
        assertTrue(r.out().contains("wrote 2048 sectors at LBA 4096"), r.out());
        assertTrue(r.out().contains("verified, identical"), r.out());
        assertEquals(before, Images.sha256(image), "the demo put the original sectors back");
        assertFalse(Files.exists(saved), "the saved copy goes once the restore read back identical");
    }

    @Test
    void anExistingSaveFileIsNeverOverwritten() throws Exception {
        Path image = image();
        String before = Images.sha256(image);
        Path saved = dir.resolve("saved.bin");
        Files.writeString(saved, "the only copy of an earlier run's sectors");
        CliRun r = CliRun.of("--device", "qemu:" + image, "demo", "--allow-write", "--lba", Long.toString(LBA),
                "--save", saved.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(saved + " already exists: an earlier demo may not have put back the sectors it "
                + "saved there"), r.err());
        assertEquals("the only copy of an earlier run's sectors", Files.readString(saved));
        assertEquals(before, Images.sha256(image));
    }

    @Test
    void aReadErrorAfterTheWriteFailsTheDemoAndTheImageIsAsBefore() throws Exception {
        Path image = image();
        String before = Images.sha256(image);
        Path saved = dir.resolve("saved.bin");
        CliRun r = CliRun.of("--device", "qemu:blkdebug:" + readErrorAfterTheWrite(true) + ":" + image, "demo",
                "--allow-write", "--lba", Long.toString(LBA), "--save", saved.toString());
        assertEquals(Main.DEVICE_ERROR, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("port 0: READ DMA EXT, LBA 4096..6143 (2048 sectors) failed"), r.err());
        assertTrue(r.out().contains("the demo failed after its write; put the original sectors back, read them back "
                + "identical, deleted " + saved), r.out());
        assertEquals(before, Images.sha256(image), "byte for byte as before the demo");
        assertFalse(Files.exists(saved));
    }

    @Test
    void whenTheRestoreCannotBeVerifiedTheSavedSectorsStayAndTheErrorSaysHowToPutThemBack() throws Exception {
        Path image = image();
        byte[] original = Images.read(image, LBA * 512, SECTORS * 512);
        String before = Images.sha256(image);
        Path saved = dir.resolve("saved.bin");
        CliRun r = CliRun.of("--device", "qemu:blkdebug:" + readErrorAfterTheWrite(false) + ":" + image, "demo",
                "--allow-write", "--lba", Long.toString(LBA), "--save", saved.toString());
        assertEquals(Main.DEVICE_ERROR, r.exit(), r.out() + r.err());
        String put = "write --port 0 --lba 4096 --count 2048 --in " + saved + " --allow-write";
        assertTrue(r.err().contains("putting back the original sectors at LBA 4096..6143 of port 0 failed"), r.err());
        assertTrue(r.err().contains("they are saved in " + saved + ": put them back with `jahci --device qemu:blkdebug:"),
                r.err());
        assertTrue(r.err().contains(put), r.err());
        assertTrue(r.err().contains("Before that the demo failed: "), r.err());
        assertArrayEquals(original, Files.readAllBytes(saved), "the saved file holds the original sectors");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)));
        assertEquals(before, Images.sha256(image), "the restore's write went through; only its read-back failed");

        Images.write(image, LBA * 512, Images.random(8, SECTORS * 512));
        CliRun back = CliRun.of(("--device qemu:" + image + " " + put).split(" "));
        assertEquals(0, back.exit(), back.err());
        assertEquals(before, Images.sha256(image), "the printed command puts the saved sectors back");
    }
}
