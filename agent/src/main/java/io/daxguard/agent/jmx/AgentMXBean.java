package io.daxguard.agent.jmx;

import io.daxguard.agent.jmx.Description.Impact;
import io.daxguard.agent.source.operator.ReportedFailure;
import io.daxguard.agent.validation.RequestLimits;
import java.util.List;

@Description("The daxguard agent: turns media failures on block devices into damaged files and metadata")
public interface AgentMXBean {

    @Description("daxguard version")
    String getVersion();

    @Description("When the agent started, ISO-8601")
    String getStartedAt();

    @Description("Filesystem plugins loaded")
    List<PluginView> getPlugins();

    @Description("Plugins that were refused, and why")
    List<String> getPluginRefusals();

    @Description("The failure sources (kmsg, badblocks): state RUNNING, RESTARTING (with the next attempt), FAILED "
            + "or STOPPED, the reason, how many times each was restarted after its thread ended, and since when")
    List<SourceView> getSources();

    @Description("Failure tuples received from every source")
    long getFailuresReceived();

    @Description("Damage records in the ledger")
    long getDamageRecords();

    @Description("Files with open damage, over every filesystem")
    int getDamagedFileCount();

    @Description("Whether damage records are being written durably now; false while the state directory is full, "
            + "read-only or its database unusable (records are then kept in memory and writes retried)")
    boolean isLedgerDurable();

    @Description("The ledger's health: ok, or what is wrong with the state directory and what the agent does about it")
    String getLedgerHealth();

    @Description(value = "Reports a media failure on a block device, as the kernel would: the range is routed to the "
            + "filesystem that holds it, its owners found and recorded. Returns what was hit.", impact = Impact.ACTION)
    String reportFailure(
            @Description(name = "device", value = "Kernel name (loop3, sdb2), /dev path or major:minor") String device,
            @Description(name = "sector", value = "First failed 512-byte sector on that device") long sector,
            @Description(name = "sectors", value = "Number of failed 512-byte sectors, at least 1, at most "
                    + "mbeans.reportBytes / 512 (2097152 by default)") long sectors,
            @Description(name = "errno", value = "The error the device returned: 5 (EIO) for a media error") int errno);

    @Description(value = "Reports many media failures in one call: item i is devices[i], sectors[i], sectorCounts[i], "
            + "errnos[i], each checked as reportFailure checks one and against the device's size. Arrays of unequal "
            + "length, more than mbeans.batchItems (10000 by default) items, or any invalid item refuse the whole "
            + "batch and nothing is recorded (the message names each invalid item's index, field and value). Returns "
            + "one row per item, in order: what was hit, or why that item was not recorded", impact = Impact.ACTION)
    List<ReportedFailure> reportFailures(
            @Description(name = "devices", value = "Per item: kernel name (loop3, sdb2), /dev path or major:minor")
            String[] devices,
            @Description(name = "sectors", value = "Per item: first failed 512-byte sector") long[] sectors,
            @Description(name = "sectorCounts", value = "Per item: failed 512-byte sectors, 1..mbeans.reportBytes / 512")
            long[] sectorCounts,
            @Description(name = "errnos", value = "Per item: the error the device returned, 5 (EIO) for a media error")
            int[] errnos);

    @Description(value = "Checks a batch as reportFailures would, recording nothing: refused with the same message "
            + "when reportFailures would refuse it. For a client whose input spans several batches, so that a bad item "
            + "in a later batch is found before the first is recorded", impact = Impact.INFO)
    void checkFailures(
            @Description(name = "devices", value = "As reportFailures") String[] devices,
            @Description(name = "sectors", value = "As reportFailures") long[] sectors,
            @Description(name = "sectorCounts", value = "As reportFailures") long[] sectorCounts,
            @Description(name = "errnos", value = "As reportFailures") int[] errnos);

    @Description("What one call may ask: resolveBytes (one resolve, one page, every range of one resolveRanges or "
            + "resolveRangesAsColumns together), reportBytes (one report, each item of reportFailures), batchItems "
            + "(items of one batch)")
    RequestLimits getRequestLimits();

    @Description(value = "A plain-text report of every filesystem's health and damage, like zpool status -v",
            impact = Impact.INFO)
    String status();

    @Description(value = "status() without the lines of each damaged range (what daxguard status prints without -v)",
            impact = Impact.INFO)
    String statusSummary();

    @Description(value = "Re-reads block devices and mounts now, attaching new filesystems", impact = Impact.ACTION)
    void refreshTopology();
}
