package io.jahci.cli;

import io.jahci.hw.pci.FakeSysfs;
import io.jahci.testing.Images;
import io.jahci.testing.JsonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/json.md's table of documents, row by row, against what each command writes on QEMU's model: the keys in
 * their order, the schema, jahciVersion equal to the pom's version, and the device block naming the device.
 */
@Tag("qemu")
class JsonDocumentsTest {
    /** A table row: {@code | `doc.key[]` | schema | `k1` `k2` ... |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z ]+(?:\\.[a-zA-Z]+(?:\\[])?)*)` \\| (\\d*) \\| (.*) \\|$");
    private static final Pattern KEY = Pattern.compile("`([a-zA-Z]+\\??)`");

    private static Map<String, Row> rows;
    private static List<String> deviceKeys;

    @TempDir
    Path dir;

    private record Row(String schema, List<String> keys) {}

    /** docs/json.md's rows and device block, read once. */
    @BeforeAll
    static synchronized void readTheDocs() throws Exception {
        if (rows != null) {
            return;
        }
        rows = new LinkedHashMap<>();
        deviceKeys = new ArrayList<>();
        boolean deviceTable = false;
        for (String line : Files.readAllLines(Path.of("docs/json.md"))) {
            if (line.startsWith("## ")) {
                deviceTable = line.equals("## The device block");
            }
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                List<String> keys = new ArrayList<>();
                Matcher k = KEY.matcher(m.group(3));
                while (k.find()) {
                    keys.add(k.group(1));
                }
                rows.put(m.group(1), new Row(m.group(2), keys));
            } else if (deviceTable && line.startsWith("| `")) {
                deviceKeys.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        assertEquals(List.of("spec", "transport", "address", "pciId", "port", "model", "serial"), deviceKeys);
        assertTrue(rows.keySet().containsAll(List.of("identify", "list", "report", "smart", "scan", "verify", "bench io",
                "bench irq", "doctor", "error")), "every document has its row: " + rows.keySet());
    }

    /** The pom's own version: the first {@code <version>} after jahci's artifactId. */
    static String pomVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>jahci</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "pom.xml names jahci's version");
        return m.group(1);
    }

    /** {@code json} is the document {@code name}: head, keys (optional ones when {@code withOptional}), nested rows. */
    static Map<String, Object> check(String name, Map<String, Object> json, boolean withOptional) throws Exception {
        readTheDocs();
        Row row = rows.get(name);
        assertNotNull(row, "docs/json.md has no row for " + name);
        List<String> expected = row.keys().stream().filter(k -> withOptional || !k.endsWith("?"))
                .map(k -> k.replace("?", "")).toList();
        assertEquals(expected, List.copyOf(json.keySet()), name + ": documented keys vs written: " + json);
        assertEquals(pomVersion(), json.get("jahciVersion"), name);
        assertEquals(Integer.parseInt(row.schema()), json.get("schema"), name);
        if (json.containsKey("device")) {
            assertEquals(deviceKeys, List.copyOf(JsonReader.object(json.get("device")).keySet()), name + " device block");
        }
        for (Map.Entry<String, Row> nested : rows.entrySet()) {
            String prefix = name + ".";
            if (!nested.getKey().startsWith(prefix)) {
                continue;
            }
            Object value = json;
            for (String step : nested.getKey().substring(prefix.length()).split("\\.")) {
                boolean array = step.endsWith("[]");
                value = JsonReader.object(value).get(array ? step.substring(0, step.length() - 2) : step);
                if (array) {
                    List<Object> list = JsonReader.list(value);
                    assertFalse(list.isEmpty(), nested.getKey() + " is empty in " + json);
                    value = list.get(0);
                }
            }
            assertEquals(nested.getValue().keys(), List.copyOf(JsonReader.object(value).keySet()), nested.getKey());
        }
        return json;
    }

    static Map<String, Object> run(int exit, String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertEquals(exit, r.exit(), String.join(" ", args) + ": " + r.err());
        assertEquals(1, r.out().lines().count(), "one document on one line: " + r.out());
        return JsonReader.object(r.out());
    }

    @Test
    void diskDocumentsNameTheDiskInTheirDeviceBlock() throws Exception {
        Path image = Images.create(dir, "d.img", 8 << 20);
        String spec = "qemu:" + image;
        for (String[] command : new String[][] {{"smart", "--port", "0"}, {"scan", "--port", "0", "--count", "2048"},
            {"verify", "--port", "0", "--count", "2048", "--allow-write"},
            {"bench", "io", "--port", "0", "--rw", "randread", "--seconds", "200ms"}}) {
            List<String> args = new ArrayList<>(List.of("--device", spec));
            args.addAll(Arrays.asList(command));
            args.add("--json");
            String name = command[0].equals("bench") ? "bench io" : command[0];
            Map<String, Object> json = check(name, run(0, args.toArray(String[]::new)), true);
            Map<String, Object> device = JsonReader.object(json.get("device"));
            assertEquals(spec, device.get("spec"), name);
            assertEquals("qemu", device.get("transport"), name);
            assertEquals("0000:00:05.0", device.get("address"), name);
            assertEquals("8086:2922", device.get("pciId"), name);
            assertEquals(0, device.get("port"), name);
            assertEquals("QEMU HARDDISK", device.get("model"), name);
            assertTrue(((String) device.get("serial")).startsWith("QM"), name + ": " + device);
        }
    }

    @Test
    void smartKeepsWhatTheTableShowsForTheTemperature() throws Exception {
        CliRun text = CliRun.of("--device", "qemu", "smart", "--port", "0");
        Map<String, Object> json = run(0, "--device", "qemu", "smart", "--port", "0", "--json");
        Map<String, Object> temperature = null;
        for (Object a : JsonReader.list(json.get("attributes"))) {
            if (JsonReader.object(a).get("id").equals(190)) {
                temperature = JsonReader.object(a);
            }
        }
        assertNotNull(temperature, "QEMU's SMART data has attribute 190: " + json);
        String shown = text.out().lines().filter(l -> l.startsWith("190 ")).findFirst().orElseThrow();
        assertTrue(shown.endsWith(" " + temperature.get("rawText")), shown + " vs " + temperature);
        Map<String, Object> decoded = JsonReader.object(temperature.get("temperature"));
        assertEquals(shown.replaceAll(".* (\\d+) \\(Min/Max (\\d+)/(\\d+)\\)$", "$1 $2 $3"),
                decoded.get("celsius") + " " + decoded.get("min") + " " + decoded.get("max"), shown);
    }

    @Test
    void controllerDocumentsNameTheControllerOnly() throws Exception {
        Map<String, Object> identify = check("identify", run(0, "--device", "qemu", "identify", "--json"), true);
        Map<String, Object> report = check("report", run(0, "--device", "qemu", "report", "--json"), true);
        for (Map<String, Object> json : List.of(identify, report)) {
            Map<String, Object> device = JsonReader.object(json.get("device"));
            assertEquals("qemu", device.get("spec"));
            assertEquals("8086:2922", device.get("pciId"));
            assertNull(device.get("port"));
            assertNull(device.get("model"));
        }
        Map<String, Object> irq = check("bench irq", run(0, "--device", "qemu", "bench", "irq", "--events", "20",
                "--warmup", "5", "--json"), true);
        assertEquals("qemu", JsonReader.object(irq.get("device")).get("spec"));
        check("bench irq", run(0, "bench", "irq", "--rate", "max", "--events", "300", "--warmup", "300", "--no-c",
                "--json"), false);
    }

    @Test
    void listAndErrorsHaveTheHead() throws Exception {
        FakeSysfs fs = new FakeSysfs(dir);
        fs.pci("0000:03:00.0", 0x197b, 0x2363, 0x010601).bindTo("0000:03:00.0", "ahci");
        fs.disk("0000:03:00.0", 1, "sdc", 8, 32, 0);
        check("list", run(0, "--sysroot", dir.toString(), "list", "--json"), true);
        Map<String, Object> usage = check("error", run(2, "bench", "io", "--port", "0", "--jobs", "randread:4k:x",
                "--json"), true);
        assertEquals("usage", JsonReader.object(usage.get("error")).get("fault"));
        Map<String, Object> noDisk = check("error", run(2, "--device", "qemu", "scan", "--port", "3", "--json"), true);
        assertEquals("usage", JsonReader.object(noDisk.get("error")).get("fault"));
    }

    @Test
    void theVersionOptionSaysThePomsVersion() throws Exception {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.exit());
        assertEquals("jahci " + pomVersion(), r.out().strip());
    }
}
