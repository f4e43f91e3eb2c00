package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import java.nio.file.Path;
import java.util.List;

/** The MBean of one damaged file: a live view of the ledger's records that name this file. */
final class DamagedFileBean implements DamagedFileMXBean {
    private final FileKey key;
    private final DamageLedger ledger;

    DamagedFileBean(FileKey key, DamageLedger ledger) {
        this.key = key;
        this.ledger = ledger;
    }

    private List<DamagedFile> allOfFilesystem() {
        return DamagedFile.group(ledger.records(), key.mountPoint());
    }

    private DamagedFile file() {
        return allOfFilesystem().stream().filter(file -> file.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no damage recorded for inode " + key.inode()));
    }

    @Override
    public String getFilesystem() {
        return key.mountPoint();
    }

    @Override
    public String getFilesystemUuid() {
        return key.filesystemUuid();
    }

    @Override
    public String getPath() {
        return file().displayPath();
    }

    @Override
    public List<String> getPaths() {
        return file().paths();
    }

    @Override
    public long getInode() {
        return key.inode();
    }

    @Override
    public long getGeneration() {
        return key.generation();
    }

    @Override
    public long getSize() {
        for (String path : file().paths()) {
            try {
                FileStatus status = FileStatus.ofPathNoFollow(Path.of(key.mountPoint(), path.substring(1)));
                if (status.inode() == key.inode() && status.isRegularFile()) {
                    return status.size();
                }
            } catch (NativeCallException gone) {
                // Try the next name.
            }
        }
        return -1;
    }

    @Override
    public List<DamagedRangeView> getDamagedRanges() {
        return file().hits().stream().map(hit -> new DamagedRangeView(hit.owner().fileOffset(), hit.owner().length(),
                hit.owner().fork().name(), hit.record().deviceName(),
                hit.owner().physicalOffset(),
                hit.record().errno(), hit.record().source(), hit.record().firstSeen().toString(),
                hit.record().lastSeen().toString(), hit.record().count(), hit.owner().shared(),
                hit.state().name(), hit.record().id())).toList();
    }

    @Override
    public long getDamagedBytes() {
        return file().damagedBytes();
    }

    @Override
    public List<String> getSharedWith() {
        return file().sharedWith(allOfFilesystem());
    }

    @Override
    public String getState() {
        return file().state().name();
    }

    @Override
    public String getFirstSeen() {
        return file().firstSeen().toString();
    }

    @Override
    public String getLastSeen() {
        return file().lastSeen().toString();
    }
}
