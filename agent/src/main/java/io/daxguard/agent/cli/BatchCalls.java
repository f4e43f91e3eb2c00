package io.daxguard.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.daxguard.agent.cli.BatchInput.RangeLine;
import io.daxguard.agent.cli.BatchInput.ReportLine;
import io.daxguard.agent.jmx.ObjectNames;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;

/**
 * Sends the items of {@code --from} through the batch operations ({@code reportFailures}, {@code resolveRanges}), in
 * batches the agent accepts (its {@code RequestLimits}: at most {@code batchItems} items, and for ranges at most
 * {@code resolveBytes} bytes together), printing each batch's answers as they arrive: a line per item, or with
 * {@code --json} one JSON object per line, each naming the input line it answers.
 */
final class BatchCalls {
    private static final Pattern ITEM = Pattern.compile("(item|range) (\\d+)");

    private BatchCalls() {
    }

    /** The agent's limits on one call. */
    private record Limits(int batchItems, long resolveBytes) {
        static Limits of(MBeanServerConnection agent) throws Exception {
            CompositeData limits = (CompositeData) agent.getAttribute(ObjectNames.agent(), "RequestLimits");
            return new Limits((Integer) limits.get("batchItems"), (Long) limits.get("resolveBytes"));
        }
    }

    /** Reports every line; exit 1 when the agent did not record some item (each says why). */
    static int report(MBeanServerConnection agent, List<ReportLine> lines, boolean json, PrintWriter out,
                      PrintWriter err) throws Exception {
        int batch = Limits.of(agent).batchItems();
        if (lines.size() > batch) {
            // Every batch is checked before the first is recorded: nothing is half-applied by a bad later line.
            for (int from = 0; from < lines.size(); from += batch) {
                List<ReportLine> items = lines.subList(from, Math.min(lines.size(), from + batch));
                try {
                    agent.invoke(ObjectNames.agent(), "checkFailures", reportArguments(items), REPORT_SIGNATURE);
                } catch (RuntimeMBeanException refused) {
                    return refusal(refused, index -> index < items.size() ? items.get(index).line() : null, err);
                }
            }
        }
        boolean allRecorded = true;
        for (int from = 0; from < lines.size(); from += batch) {
            List<ReportLine> items = lines.subList(from, Math.min(lines.size(), from + batch));
            CompositeData[] answers;
            try {
                answers = (CompositeData[]) agent.invoke(ObjectNames.agent(), "reportFailures",
                        reportArguments(items), REPORT_SIGNATURE);
            } catch (RuntimeMBeanException refused) {
                return refusal(refused, index -> index < items.size() ? items.get(index).line() : null, err);
            }
            for (CompositeData answer : answers) {
                ReportLine line = items.get((Integer) answer.get("index"));
                String error = (String) answer.get("error");
                allRecorded &= error.isEmpty();
                if (json) {
                    out.println(jsonLine(line.line(), answer));
                } else {
                    out.println("line " + line.line() + ": " + line.device() + " sectors " + line.sector() + "+"
                            + line.count() + ": " + (error.isEmpty() ? answer.get("hit") : "not recorded: " + error));
                }
            }
            out.flush();
        }
        return allRecorded ? ExitCode.OK : ExitCode.FAILED;
    }

    private static final String[] REPORT_SIGNATURE = {"[Ljava.lang.String;", "[J", "[J", "[I"};

    private static Object[] reportArguments(List<ReportLine> items) {
        return new Object[] {
            items.stream().map(ReportLine::device).toArray(String[]::new),
            items.stream().mapToLong(ReportLine::sector).toArray(),
            items.stream().mapToLong(ReportLine::count).toArray(),
            items.stream().mapToInt(ReportLine::errno).toArray()};
    }

    /** Resolves every line's range on {@code filesystem}. */
    static int resolve(MBeanServerConnection agent, ObjectName filesystem, String from, List<RangeLine> lines,
                       boolean json, PrintWriter out, PrintWriter err) throws Exception {
        Limits limits = Limits.of(agent);
        var tooLong = BatchInput.tooLong(from, lines, limits.resolveBytes());
        if (tooLong.isPresent()) {
            err.println("daxguard: " + tooLong.get().getMessage());
            return ExitCode.USAGE;
        }
        for (int start = 0; start < lines.size(); ) {
            int end = start;
            long bytes = 0;
            while (end < lines.size() && end - start < limits.batchItems()
                    && bytes + lines.get(end).length() <= limits.resolveBytes()) {
                bytes += lines.get(end).length();
                end++;
            }
            List<RangeLine> items = lines.subList(start, end);
            CompositeData[] answers;
            try {
                answers = (CompositeData[]) agent.invoke(filesystem, "resolveRanges", new Object[] {
                    items.stream().mapToLong(RangeLine::offset).toArray(),
                    items.stream().mapToLong(RangeLine::length).toArray()}, new String[] {"[J", "[J"});
            } catch (RuntimeMBeanException refused) {
                return refusal(refused, index -> index < items.size() ? items.get(index).line() : null, err);
            }
            for (int i = 0; i < answers.length; i++) {
                print(items.get(i), answers[i], json, out);
            }
            out.flush();
            start = end;
        }
        return ExitCode.OK;
    }

    private static void print(RangeLine line, CompositeData answer, boolean json, PrintWriter out)
            throws JsonProcessingException {
        if (json) {
            out.println(jsonLine(line.line(), answer));
            return;
        }
        CompositeData[] owners = (CompositeData[]) answer.get("owners");
        out.println("line " + line.line() + ": bytes " + line.offset() + "+" + line.length() + ":"
                + (owners.length == 0 ? " nothing owns them" : ""));
        for (CompositeData owner : owners) {
            out.println("  " + SimpleCommands.describe(owner));
        }
    }

    private static String jsonLine(int line, CompositeData answer) throws JsonProcessingException {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("line", line);
        object.putAll(Json.toMap(answer));
        return Json.line(object);
    }

    /** The agent refused a batch: its message, with each item it names given its input line. */
    private static int refusal(RuntimeMBeanException refused, IntFunction<Integer> lineOf, PrintWriter err)
            throws RuntimeMBeanException {
        if (!(refused.getCause() instanceof IllegalArgumentException cause)) {
            throw refused;
        }
        Matcher items = ITEM.matcher(cause.getMessage());
        StringBuilder message = new StringBuilder();
        while (items.find()) {
            int index = Integer.parseInt(items.group(2));
            Integer line = lineOf.apply(index);
            items.appendReplacement(message, line == null ? items.group() : "line " + line + " (" + items.group(1)
                    + " " + index + " of the batch)");
        }
        items.appendTail(message);
        err.println("daxguard: " + message);
        return ExitCode.USAGE;
    }
}
