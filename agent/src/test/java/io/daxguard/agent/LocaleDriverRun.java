package io.daxguard.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a driver class in a child JVM with only {@code PATH} in its environment and {@code LANG} (and {@code LC_ALL})
 * set to a locale or left unset, in a mount namespace of its own without the host's other mounts under /tmp (so an
 * agent watching /tmp sees only what the driver mounts). The driver prints {@code key value} lines.
 */
final class LocaleDriverRun {
    private LocaleDriverRun() {
    }

    /**
     * The first value of each key the driver printed; every line also goes to {@code everything}.
     *
     * @param lang the locale, or empty to leave {@code LANG} and {@code LC_ALL} unset
     */
    static Map<String, String> run(Class<?> driver, String lang, List<String> everything) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "awk '$5 ~ /^\\/tmp\\// {print $5}' /proc/self/mountinfo | sort -r"
                + " | while read -r m; do umount -l \"$m\"; done; exec \"$0\" \"$@\"";
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                command, java, "-cp", System.getProperty("java.class.path"), driver.getName()));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        if (!lang.isEmpty()) {
            builder.environment().put("LANG", lang);
            builder.environment().put("LC_ALL", lang);
        }
        Process child = builder.start();
        Map<String, String> lines = new LinkedHashMap<>();
        try (var output = child.inputReader(StandardCharsets.US_ASCII)) {
            String line;
            while ((line = output.readLine()) != null) {
                everything.add(line);
                int space = line.indexOf(' ');
                lines.putIfAbsent(space < 0 ? line : line.substring(0, space),
                        space < 0 ? "" : line.substring(space + 1));
            }
        } finally {
            if (!child.waitFor(5, TimeUnit.MINUTES)) { // a bound against hanging only
                child.destroyForcibly();
            }
        }
        return lines;
    }
}
