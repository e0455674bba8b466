package io.jahci.cli;

import io.jahci.disk.Controller;
import io.jahci.disk.Disk;
import io.jahci.disk.DiskIdentity;
import io.jahci.disk.Json;
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

/** {@code jahci identify}: what each disk says in IDENTIFY DEVICE. */
@Command(name = "identify", mixinStandardHelpOptions = true,
        description = "Bring the controller up and print each disk's IDENTIFY DEVICE data.")
final class IdentifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "Only the disk on port N.")
    Integer port;

    @Option(names = "--json", description = "Print a JSON array with one object per disk.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Controller controller = main.open(false)) {
            List<Disk> disks = port == null ? controller.disks() : List.of(controller.disk(port));
            if (json) {
                List<Map<String, Object>> objects = new ArrayList<>();
                for (Disk d : disks) {
                    objects.add(d.identity().toJson());
                }
                out.println(Json.write(objects));
                return 0;
            }
            out.println(controller.describe());
            for (Controller.PortStatus p : controller.ports()) {
                if (port != null && p.port() != port) {
                    continue;
                }
                out.printf("port %d: %s%n", p.port(), p.state() == io.jahci.miniport.PortState.READY
                        ? format(controller.disk(p.port()).identity())
                        : p.state() + (p.state() == io.jahci.miniport.PortState.NO_DEVICE ? " (empty)" : " (" + p.signature() + ")"));
            }
            return 0;
        }
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
