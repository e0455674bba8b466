package io.jahci.cli;

import io.jahci.ahci.DeviceSignature;
import io.jahci.ahci.KnownChips;
import io.jahci.ahci.IdentifyReport;
import io.jahci.disk.CdIdentity;
import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.disk.DiskIdentity;
import io.jahci.platform.Json;
import io.jahci.disk.PortCondition;
import io.jahci.fault.PortException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jahci identify}: what each disk says in IDENTIFY DEVICE, and each CD-ROM in INQUIRY. */
@Command(name = "identify", mixinStandardHelpOptions = true,
        description = "Bring the controller up and print what each device says about itself: for a disk, "
                + "IDENTIFY DEVICE as hdparm -I words it (features: * = enabled); for a CD-ROM, INQUIRY and "
                + "READ CAPACITY.")
final class IdentifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "Only the disk on port N.")
    Integer port;

    @Option(names = "--json", description = "Print one JSON document (docs/json.md): jahciVersion, schema, device (the "
            + "controller), chip (known quirks, or null), drives (one object per disk, and per CD/DVD drive with "
            + "\"type\":\"cdrom\").")
    boolean json;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Option(names = "--raw", description = "Print the disk's 256 IDENTIFY DEVICE words as `hdparm --Istdout` "
            + "does, for `hdparm --Istdin`. Needs --port unless there is one disk.")
    boolean raw;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            if (raw) {
                Disk disk = port != null ? controller.disk(port) : onlyDisk(controller.disks());
                out.print(IdentifyReport.hdparmRaw(disk.identifyData()));
                return 0;
            }
            if (json) {
                List<Map<String, Object>> objects = new ArrayList<>();
                for (Controller.PortStatus p : controller.ports()) {
                    if (port != null && p.port() != port || p.state() != PortCondition.READY) {
                        continue;
                    }
                    objects.add(controller.hasCdDrive(p.port()) ? controller.cdDrive(p.port()).identity().toJson()
                            : controller.disk(p.port()).identity().toJson());
                }
                if (port != null && objects.isEmpty()) {
                    controller.disk(port); // says what the port holds, exit 2
                }
                Map<String, Object> doc = JsonDocument.start(SCHEMA, controller, null);
                KnownChips.Chip chip = controller.knownChip();
                doc.put("chip", chip == null ? null : chip.toJson());
                doc.put("drives", objects);
                out.println(Json.write(doc));
                return 0;
            }
            if (port != null && !controller.hasCdDrive(port)) {
                controller.disk(port); // a port without a disk or drive: says what it holds, exit 2
            }
            out.println(controller.describe());
            KnownChips.Chip chip = controller.knownChip();
            if (chip != null) {
                out.println(chip.describe());
            }
            for (String warning : controller.warnings()) {
                out.println("warning: " + warning);
            }
            for (Controller.PortStatus p : controller.ports()) {
                if (port != null && p.port() != port) {
                    continue;
                }
                out.printf("port %d: %s%n", p.port(), describe(controller, p));
                if (p.state() == PortCondition.READY && p.signature() == DeviceSignature.ATA) {
                    out.print(IdentifyReport.summary(controller.disk(p.port()).identifyData()));
                }
            }
            return 0;
        }
    }

    private static Disk onlyDisk(List<Disk> disks) throws Main.UsageException {
        if (disks.size() != 1) {
            throw new Main.UsageException("--raw prints one disk's words; name it with --port N (disks are on ports "
                    + disks.stream().map(Disk::port).toList() + ")");
        }
        return disks.get(0);
    }

    private static String describe(Controller controller, Controller.PortStatus p) throws PortException {
        if (p.state() != PortCondition.READY) {
            return p.state() + (p.state() == PortCondition.NO_DEVICE ? " (empty)" : " (" + p.signature() + ")");
        }
        if (p.signature() == DeviceSignature.ATAPI) {
            return format(controller.cdDrive(p.port()).identity());
        }
        return format(controller.disk(p.port()).identity());
    }

    static String format(CdIdentity cd) {
        String medium = cd.blocks() == 0 ? "no medium" : String.format("%d sectors x %d bytes (%s)", cd.blocks(),
                cd.blockSize(), Sizes.human(cd.blocks() * cd.blockSize()));
        return String.format("CD-ROM %s %s, revision %s, %s", cd.vendor(), cd.product(), cd.revision(), medium);
    }

    static String format(DiskIdentity id) {
        return String.format("%s, serial %s, firmware %s%n  %d sectors x %d bytes (%s), physical sector %d bytes, "
                        + "LBA48 %s, NCQ %s, TRIM %s, write cache %s, SMART %s",
                id.model(), id.serial(), id.firmware(), id.sectors(), id.logicalSectorSize(),
                Sizes.human(id.capacityBytes()), id.physicalSectorSize(), yesNo(id.lba48()),
                id.ncqDepth() > 0 ? "depth " + id.ncqDepth() : "no", yesNo(id.trim()), yesNo(id.writeCache()),
                yesNo(id.smart()));
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
