package io.jahci.cli;

import io.jahci.ahci.BitField;
import io.jahci.ahci.Cap;
import io.jahci.ahci.Cap2;
import io.jahci.ahci.Ghc;
import io.jahci.ahci.HbaCapabilities;
import io.jahci.ahci.KnownChips;
import io.jahci.ahci.PortCmd;
import io.jahci.ahci.PortIs;
import io.jahci.ahci.PortSctl;
import io.jahci.ahci.PortSerr;
import io.jahci.ahci.PortSsts;
import io.jahci.ahci.PortTfd;
import io.jahci.disk.Controller;
import io.jahci.disk.DiskIdentity;
import io.jahci.platform.Json;
import io.jahci.disk.PortCondition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;

/**
 * {@code jahci report}: a read-only hardware report to attach to a bug: the controller's identity and
 * known quirks, its registers decoded, bring-up's steps with their times, every port's registers and
 * history, each disk's identity (serial numbers hashed unless {@code --full}). It writes nothing.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Bring the controller up read-only and print what a developer needs to help with it: "
                + "identity, quirks, decoded registers, bring-up timeline, each port's registers and history, "
                + "each disk's identity (serial numbers hashed unless --full). Writes nothing to any disk.")
final class ReportCommand implements Callable<Integer> {
    /** The version of the report's JSON layout; raised when a key changes meaning or goes away (docs/json.md). */
    static final int SCHEMA = 2;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--full", description = "Print serial numbers as they are (hashed by default).")
    boolean full;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Controller c = main.open(false)) {
            Map<String, Object> report = report(c);
            if (json) {
                out.println(Json.write(report));
            } else {
                printText(out, report, c.knownChip());
            }
            return 0;
        }
    }

    private Map<String, Object> report(Controller c) throws Exception {
        Map<String, Object> r = JsonDocument.start(SCHEMA, c, null);
        r.put("taken", Instant.now().toString());
        r.put("controller", c.describe());
        r.put("pci", c.pciIdentity());
        KnownChips.Chip chip = c.knownChip();
        r.put("chip", chip == null ? null : chip.toJson());
        Controller.Registers registers = c.registers();
        Map<String, Object> hba = new LinkedHashMap<>();
        registers.hba().forEach((name, value) -> hba.put(name, register(value, HBA_FIELDS.get(name))));
        r.put("hba", hba);
        r.put("bringUp", c.bringUpTimeline());
        r.put("warnings", c.warnings());
        List<Map<String, Object>> ports = new ArrayList<>();
        for (Controller.PortStatus p : c.ports()) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("port", p.port());
            port.put("state", p.state().name());
            port.put("signature", String.valueOf(p.signature()));
            Map<String, Object> regs = new LinkedHashMap<>();
            registers.ports().get(p.port()).forEach((name, value) -> regs.put(name, register(value, PORT_FIELDS.get(name))));
            port.put("registers", regs);
            if (p.state() == PortCondition.READY && !c.hasCdDrive(p.port())) {
                port.put("disk", disk(c.disk(p.port()).identity()));
            }
            port.put("history", List.of(c.portHistory(p.port()).split("\n")));
            ports.add(port);
        }
        r.put("ports", ports);
        return r;
    }

    private static final Map<String, IntFunction<String>> HBA_FIELDS = Map.of("CAP", Cap::describe, "GHC",
            Ghc::describe, "CAP2", Cap2::describe, "IS", is -> is == 0 ? "" : "ports " + BitField.describe(is,
                    portBits()), "PI", pi -> "ports " + BitField.describe(pi, portBits()),
            "VS", vs -> "AHCI " + HbaCapabilities.versionString(vs));
    private static final Map<String, IntFunction<String>> PORT_FIELDS = Map.of("SSTS", PortSsts::describe, "SCTL",
            PortSctl::describe, "SERR", PortSerr::describe, "TFD", PortTfd::describe, "CMD", PortCmd::describe,
            "IS", PortIs::describe, "IE", PortIs::describe);

    /** One bit field per port, for IS and PI. */
    private static BitField[] portBits() {
        BitField[] bits = new BitField[32];
        for (int i = 0; i < 32; i++) {
            bits[i] = new BitField(Integer.toString(i), i, 1);
        }
        return bits;
    }

    /** {@code {"raw":"0000003f","decoded":"..."}}: the raw value kept beside its reading. */
    private static Map<String, Object> register(int value, IntFunction<String> decode) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("raw", String.format("%08x", value));
        r.put("decoded", decode == null ? "" : decode.apply(value));
        return r;
    }

    private Map<String, Object> disk(DiskIdentity id) throws NoSuchAlgorithmException {
        Map<String, Object> d = new LinkedHashMap<>(id.toJson());
        d.put("serial", full ? id.serial() : hashed(id.serial()));
        return d;
    }

    /** {@code sha256:} and the first 16 hex digits of the serial's SHA-256: the same disk gives the same hash. */
    static String hashed(String serial) throws NoSuchAlgorithmException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(serial.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> r, KnownChips.Chip chip) {
        out.printf("jahci report (schema %s, jahci %s, %s)%n", r.get("schema"), r.get("jahciVersion"), r.get("taken"));
        out.printf("device: %s%ncontroller: %s%n", ((Map<String, Object>) r.get("device")).get("spec"), r.get("controller"));
        Map<String, Object> pci = (Map<String, Object>) r.get("pci");
        out.printf("pci: %s %s:%s rev %s class %s%n", pci.get("address"), pci.get("vendorId"), pci.get("deviceId"),
                pci.get("revision"), pci.get("classCode"));
        out.println(chip == null ? "chip: nothing known by its PCI ID" : chip.describe());
        printRegisters(out, "", (Map<String, Object>) r.get("hba"));
        out.println("bring-up:");
        ((List<String>) r.get("bringUp")).forEach(s -> out.println("  " + s));
        ((List<String>) r.get("warnings")).forEach(w -> out.println("warning: " + w));
        for (Map<String, Object> port : (List<Map<String, Object>>) r.get("ports")) {
            out.printf("port %s: %s (%s)%s%n", port.get("port"), port.get("state"), port.get("signature"),
                    port.containsKey("disk") ? " " + port.get("disk") : "");
            printRegisters(out, "  ", (Map<String, Object>) port.get("registers"));
            ((List<String>) port.get("history")).forEach(line -> out.println("  " + line.strip()));
        }
    }

    @SuppressWarnings("unchecked")
    private static void printRegisters(PrintWriter out, String indent, Map<String, Object> regs) {
        regs.forEach((name, value) -> {
            Map<String, Object> reg = (Map<String, Object>) value;
            out.printf("%s%-5s %s  %s%n", indent, name, reg.get("raw"), reg.get("decoded"));
        });
    }
}
