package io.daxguard.agent.jmx;

import io.daxguard.agent.ranges.RangeSet;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.recovery.FilesystemProtection.ProtectionResult;
import io.daxguard.agent.recovery.KernelFilesystemProtection;
import io.daxguard.agent.recovery.PolicyPlan;
import io.daxguard.agent.recovery.Principals;
import io.daxguard.agent.recovery.QuarantineRelease;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.agent.source.operator.OperatorReports;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.agent.validation.RequestLimits;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.management.ObjectName;

/**
 * The MBean of one mounted filesystem. Its damage is the damage of its UUID, wherever the filesystem was mounted
 * when each record was made (unmounted and mounted elsewhere, it keeps its damage and nothing is counted twice).
 */
final class FilesystemBean implements FilesystemMXBean {
    static final int MAX_PAGE = 1000;

    private final AttachedFilesystem filesystem;
    private final RangeQueries ranges;
    private final DamageLedger ledger;
    /** The name a file's MBean really has (a rename or a name clash makes it differ from its path now). */
    private final Function<DamagedFile, Optional<ObjectName>> registered;
    private final Scrubber scrubber;
    /** The damaged files' names now (listDamagedFiles shows files renamed since detection by their new names). */
    private final UnaryOperator<List<DamagedFile>> namesNow;
    /** Freeze, thaw, shutdown and free-space clearing; null in an agent made without them (they then refuse). */
    private final KernelFilesystemProtection protection;

    private final RecoverySettings recovery;
    private final java.util.function.Supplier<List<String>> members;
    private final io.daxguard.agent.recovery.CopyRepair copies;
    private final java.time.Clock clock;

    FilesystemBean(AttachedFilesystem filesystem, OwnerLookup owners, RequestLimits limits, DamageLedger ledger,
                   Function<DamagedFile, Optional<ObjectName>> registered, Scrubber scrubber, FileNames names,
                   KernelFilesystemProtection protection, RecoverySettings recovery, java.time.Clock clock) {
        this.protection = protection;
        this.recovery = recovery;
        this.clock = clock;
        this.scrubber = scrubber;
        this.namesNow = names::current;
        this.filesystem = filesystem;
        this.ranges = new RangeQueries(filesystem, owners, limits);
        this.members = () -> owners.filesystems().memberLabels(filesystem);
        this.copies = new io.daxguard.agent.recovery.CopyRepair(ledger, clock);
        this.ledger = ledger;
        this.registered = registered;
    }

    private String mountPoint() {
        return filesystem.mount().mountPoint().toString();
    }

    @Override
    public String getMountPoint() {
        return mountPoint();
    }

    @Override
    public String getType() {
        return filesystem.mount().fsType();
    }

    @Override
    public String getDevice() {
        return filesystem.mount().source() + " (" + filesystem.mount().device() + ")";
    }

    @Override
    public List<String> getMemberDevices() {
        return members.get();
    }

    @Override
    public String getUuid() {
        return filesystem.info().map(FilesystemInfo::uuid).orElse("");
    }

    @Override
    public String getHealth() {
        return health(filesystem, ledger.records());
    }

    /** The health word the MBean and the status report share. */
    static String health(AttachedFilesystem filesystem, List<DamageRecord> records) {
        if (filesystem.holder().isEmpty()) {
            return "NOT HELD";
        }
        return health(openOwners(filesystem, records));
    }

    /** The health open damage gives a filesystem: metadata makes it UNHEALTHY, file data DEGRADED. */
    static String health(List<AffectedOwner> openOwners) {
        boolean metadata = false;
        boolean files = false;
        for (AffectedOwner owner : openOwners) {
            metadata |= owner.owner() instanceof MetadataOwner;
            files |= owner.file().isPresent();
        }
        return metadata ? "UNHEALTHY" : files ? "DEGRADED" : "ONLINE";
    }

    /** The open owners of the filesystem's damage ({@link AttachedFilesystem#holds}: its UUID on its disk). */
    static List<AffectedOwner> openOwners(AttachedFilesystem filesystem, List<DamageRecord> records) {
        List<AffectedOwner> owners = new ArrayList<>();
        for (DamageRecord record : filesystem.damageOf(records)) {
            if (record.state() != DamageState.OPEN) {
                continue;
            }
            for (AffectedOwner owner : record.owners()) {
                if (owner.open()) {
                    owners.add(owner);
                }
            }
        }
        return owners;
    }

    @Override
    public String getNotHeldReason() {
        return filesystem.refusal().orElse("");
    }

    @Override
    public String getReverseMap() {
        return filesystem.info().map(FilesystemInfo::reverseMap).orElse("");
    }

    private List<DamagedFile> openFiles() {
        return DamagedFile.group(filesystem.damageOf(ledger.records())).stream()
                .filter(file -> file.state() == DamageState.OPEN).toList();
    }

    @Override
    public int getDamagedFileCount() {
        return openFiles().size();
    }

    @Override
    public long getDamagedBytes() {
        return openFiles().stream().mapToLong(DamagedFile::damagedBytes).sum();
    }

    @Override
    public List<OwnerView> getMetadataDamage() {
        return openOwners(filesystem, ledger.records()).stream()
                .filter(owner -> owner.owner() instanceof MetadataOwner)
                .map(owner -> OwnerView.of(owner, filesystem::repairHint)).toList();
    }

    @Override
    public long getFreeSpaceDamageBytes() {
        RangeSet bytes = new RangeSet();
        openOwners(filesystem, ledger.records()).stream().filter(owner -> owner.owner() instanceof FreeSpaceOwner)
                .forEach(owner -> bytes.add(owner.owner().physicalOffset(), owner.owner().physicalEnd()));
        return bytes.totalLength();
    }

    /** The recovery policy of this filesystem, as the status report shows it too. */
    static RecoveryPolicies.Match policyOf(AttachedFilesystem filesystem, RecoverySettings recovery) {
        return recovery.policies().match(filesystem.mount().mountPoint(),
                filesystem.info().map(FilesystemInfo::uuid).orElse(""));
    }

    @Override
    public String getRecoveryPolicy() {
        return policyOf(filesystem, recovery).describe();
    }

    @Override
    public String testPolicy(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("testPolicy: path must name a file, was \"" + path + "\"");
        }
        return PolicyPlan.of(recovery, ledger, filesystem.mount().mountPoint(), getUuid(), path);
    }

    @Override
    public String releaseQuarantined(String name) {
        return QuarantineRelease.release(ledger, recovery, clock, filesystem.mount().mountPoint(), getUuid(), name,
                Principals.current());
    }

    @Override
    public List<OwnerView> resolve(long offset, long length) {
        return ranges.resolve(offset, length);
    }

    @Override
    public List<ResolvedRange> resolveRanges(long[] offsets, long[] lengths) {
        return ranges.resolveRanges(offsets, lengths);
    }

    @Override
    public ResolvedColumns resolveRangesAsColumns(long[] offsets, long[] lengths) {
        return ranges.resolveRangesAsColumns(offsets, lengths);
    }

    @Override
    public ResolvePage resolvePage(long offset, long length) {
        return ranges.resolvePage(offset, length);
    }

    @Override
    public ResolveSummary resolveSummary(long offset, long length, int firstOwners) {
        return ranges.resolveSummary(offset, length, firstOwners);
    }

    @Override
    public List<DamagedFileSummary> listDamagedFiles(int offset, int limit) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_PAGE + ", was " + limit);
        }
        List<DamagedFile> page = DamagedFile.group(filesystem.damageOf(ledger.records())).stream().skip(offset)
                .limit(limit)
                .toList();
        return namesNow.apply(page).stream()
                .map(file -> new DamagedFileSummary(file.displayPath(), file.key().inode(), file.key().generation(),
                        file.damagedBytes(), file.hits().size(), file.state().name(),
                        registered.apply(file).map(ObjectName::toString).orElse("")))
                .toList();
    }

    private Scrubber scrubber() {
        if (scrubber == null) {
            throw new IllegalStateException("this agent has no scrubber");
        }
        return scrubber;
    }

    @Override
    public ScrubProgress getScrub() {
        return scrubber == null ? ScrubProgress.idle(mountPoint()) : scrubber.progress(mountPoint());
    }

    @Override
    public String getScrubState() {
        return getScrub().state();
    }

    @Override
    public long getScrubBytesDone() {
        return getScrub().bytesDone();
    }

    @Override
    public long getScrubBytesTotal() {
        return getScrub().bytesTotal();
    }

    @Override
    public long getScrubRate() {
        return getScrub().rateBytesPerSecond();
    }

    @Override
    public long getScrubEtaSeconds() {
        return getScrub().etaSeconds();
    }

    @Override
    public ScrubProgress startScrub() {
        return scrubControl("startScrub", () -> scrubber().start(mountPoint()));
    }

    @Override
    public ScrubProgress pauseScrub() {
        return scrubControl("pauseScrub", () -> scrubber().pause(mountPoint()));
    }

    @Override
    public ScrubProgress resumeScrub() {
        return scrubControl("resumeScrub", () -> scrubber().resume(mountPoint()));
    }

    @Override
    public ScrubProgress cancelScrub() {
        return scrubControl("cancelScrub", () -> scrubber().cancel(mountPoint()));
    }

    private interface ScrubCall {
        ScrubProgress run() throws InterruptedException;
    }

    /** Only JDK exception types cross to a remote client. */
    private ScrubProgress scrubControl(String operation, ScrubCall call) {
        try {
            return call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(operation + " on " + mountPoint() + " was interrupted");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(operation + " on " + mountPoint() + " failed: " + OperatorReports.describe(e));
        }
    }

    // Issue 3: the reverse-map index of filesystems that keep none (ext4, XFS without rmapbt).

    @Override
    public String getReverseMapStatus() {
        return IndexStatusView.reverseMapStatus(filesystem);
    }

    @Override
    public Map<String, Long> getIndexRebuilds() {
        return IndexStatusView.rebuilds(filesystem);
    }

    @Override
    public boolean awaitReverseMap(int timeoutSeconds) {
        return IndexStatusView.awaitReverseMap(filesystem, timeoutSeconds);
    }

    @Override
    public String badBlockList() {
        return IndexStatusView.badBlockList(filesystem, ledger.records());
    }

    // Issue 15: what the kernel does to a filesystem whose metadata it cannot trust, and free-space poison.

    private KernelFilesystemProtection protection() {
        if (protection == null) {
            throw new IllegalStateException("this agent has no filesystem protection");
        }
        return protection;
    }

    /** The operation's answer when done; an IllegalStateException with the reason when not. */
    private static String answer(ProtectionResult result) {
        if (!result.done()) {
            throw new IllegalStateException(result.message());
        }
        return result.message();
    }

    @Override
    public String getFrozenByDaxguard() {
        if (protection == null) {
            return "";
        }
        return protection.frozen(filesystem.reference())
                .map(frozen -> "frozen at " + frozen.at() + " by " + frozen.principal() + "; thaw it with daxguard thaw "
                        + filesystem.mount().mountPoint().display()).orElse("");
    }

    @Override
    public String freeze() {
        return answer(protection().freeze(filesystem.reference(), Principals.current()));
    }

    @Override
    public String thaw() {
        return answer(protection().thaw(filesystem.reference(), Principals.current()));
    }

    @Override
    public String shutdown(String confirmMountPoint) {
        if (!mountPoint().equals(confirmMountPoint)) {
            throw new IllegalArgumentException("shutdown: confirmMountPoint must be the mount point, \"" + mountPoint()
                    + "\", to confirm that every I/O on it is to fail until it is unmounted; was \"" + confirmMountPoint
                    + "\"");
        }
        return answer(protection().shutdown(filesystem.reference(), Principals.current()));
    }

    @Override
    public String clearFreeSpaceDamage() {
        KernelFilesystemProtection clearing = protection();
        String principal = Principals.current();
        List<DamageRecord> records = filesystem.damageOf(ledger.records()).stream()
                .filter(record -> !KernelFilesystemProtection.openFreeOwners(record).isEmpty()).toList();
        if (records.isEmpty()) {
            return "nothing to clear: no open free-space damage on " + mountPoint();
        }
        List<String> lines = new ArrayList<>();
        int done = 0;
        for (DamageRecord record : records) {
            ProtectionResult result = clearing.clearFreeSpace(record, principal);
            done += result.done() ? 1 : 0;
            lines.add("record " + record.id() + ": " + result.message());
        }
        String answer = done + " of " + records.size() + " free-space record(s) cleared\n" + String.join("\n", lines);
        if (done == 0) {
            throw new IllegalStateException(answer);
        }
        return answer;
    }

    @Override
    public List<BadRangeView> getRedundantDamage() {
        return copies.redundantDamage(filesystem).stream().map(DeviceBean::view).toList();
    }

    @Override
    public String repairFromCopies() {
        List<io.daxguard.agent.recovery.CopyRepair.Outcome> outcomes = copies.repairAll(filesystem,
                Principals.current());
        if (outcomes.isEmpty()) {
            return "nothing to repair: no REDUNDANT damage on " + mountPoint();
        }
        long repaired = outcomes.stream().filter(io.daxguard.agent.recovery.CopyRepair.Outcome::repaired).count();
        String answer = repaired + " of " + outcomes.size() + " redundant range(s) repaired from another copy\n"
                + String.join("\n", outcomes.stream().map(outcome -> "record " + outcome.record().id() + ": "
                + outcome.message()).toList());
        if (repaired == 0) {
            throw new IllegalStateException(answer);
        }
        return answer;
    }
}
