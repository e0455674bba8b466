package io.jahci.cli;

import io.jahci.platform.Json;
import io.jahci.hw.pci.Bdf;
import io.jahci.miniport.AhciPortOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code jahci doctor [BDF]}: every precondition for a real controller, PASS / WARN / FAIL, each with the command
 * that fixes it ({@link Doctor}). Exit 0 when nothing FAILs, 1 otherwise. Reads sysfs and procfs only.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check what jahci needs to drive a real controller (IOMMU, IOMMU group, modules, /dev/vfio "
                + "permissions, ulimit -l against the memory jahci pins, MSI, CAP_SYS_NICE, huge pages): PASS, WARN "
                + "or FAIL each, with the command that fixes it. Exit 0 when nothing FAILs. Reads sysfs only.")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "BDF", description = "The controller, e.g. 0000:00:05.0. Default: every "
            + "AHCI controller.")
    String bdf;

    @Option(names = "--json", description = "Print one JSON document (docs/json.md): jahciVersion, schema, address, "
            + "checks [{name, status, finding, fix}], failures.")
    boolean json;

    /** The version of the --json document's layout (docs/json.md). */
    static final int SCHEMA = 1;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String address = bdf == null ? null : Bdf.parse(bdf);
        List<Doctor.Check> checks = new Doctor(main.sysRoot(), AhciPortOptions.DEFAULT).run(address);
        long failed = checks.stream().filter(c -> c.status() == Doctor.Status.FAIL).count();
        if (json) {
            Map<String, Object> doc = JsonDocument.start(SCHEMA);
            doc.put("address", address);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Doctor.Check c : checks) {
                Map<String, Object> check = Json.object();
                check.put("name", c.name());
                check.put("status", c.status().name());
                check.put("finding", c.finding());
                check.put("fix", c.fix().isEmpty() ? null : c.fix());
                list.add(check);
            }
            doc.put("checks", list);
            doc.put("failures", failed);
            out.println(Json.write(doc));
            return failed == 0 ? 0 : Main.FINDING;
        }
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Doctor.Check c : checks) {
            out.printf("%-4s  %-" + width + "s  %s%n", c.status(), c.name(), c.finding());
            if (!c.fix().isEmpty() && c.status() != Doctor.Status.PASS) {
                out.printf("      %-" + width + "s  fix: %s%n", "", c.fix());
            }
        }
        out.println(failed == 0 ? "jahci can run" + (address == null ? "" : " on " + address)
                : failed + " FAIL" + (failed == 1 ? "" : "s") + ": fix " + (failed == 1 ? "it" : "them") + " first");
        return failed == 0 ? 0 : Main.FINDING;
    }
}
