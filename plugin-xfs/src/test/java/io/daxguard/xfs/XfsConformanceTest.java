package io.daxguard.xfs;


import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.conformance.ConformanceFilesystem;
import io.daxguard.testkit.conformance.FilesystemFacts;
import io.daxguard.testkit.conformance.KnownRange;
import io.daxguard.testkit.conformance.PluginConformanceSuite;
import io.daxguard.testkit.conformance.Refusal;
import io.daxguard.testkit.conformance.XfsIoFsmap;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The plugin conformance suite on XFS with the reverse-map btree and reflink, on 512-byte sectors (a scratch
 * image) and on 4096-byte logical sectors (a 4Kn faulty disk), and without the reverse-map btree (the plugin's own
 * index). Ground truth from {@code xfs_io -c "fsmap -m"} and {@code xfs_db}.
 */
@Tag("mount")
class XfsConformanceTest {
    @Nested
    class On512ByteSectors extends XfsSuite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(ScratchFilesystem.xfs().create());
        }
    }

    @Nested
    class On4096ByteSectors extends XfsSuite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(FaultyDisk.xfs().logicalSectorSize(4096).create());
        }
    }

    /** Without rmapbt the plugin indexes the files itself ({@link XfsIndexedHolder}); reflink still works. */
    @Nested
    class WithoutTheReverseMapBtree extends XfsSuite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").create());
        }

        /**
         * GETFSMAP without rmapbt names no metadata (every used block is "unknown"): the primary superblock (the first
         * sector, by the on-disk format) and the log, where {@code xfs_db} places it.
         */
        @Override
        protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
            Map<String, Long> sb = new HashMap<>();
            for (String line : Command.run("xfs_db", "-r", "-c", "sb 0", "-c",
                    "print logstart logblocks agblocks agblklog blocksize sectsize", fs.device().toString()).split("\n")) {
                String[] field = line.split(" = ");
                sb.put(field[0].strip(), Long.parseLong(field[1].strip()));
            }
            long logStart = ((sb.get("logstart") >> sb.get("agblklog")) * sb.get("agblocks")
                    + (sb.get("logstart") & ((1L << sb.get("agblklog")) - 1))) * sb.get("blocksize");
            List<KnownRange> metadata = List.of(new KnownRange(0, sb.get("sectsize"), "the primary superblock"),
                    new KnownRange(logStart, sb.get("logblocks") * sb.get("blocksize"), "xfs_db: the log"));
            return new FilesystemFacts(metadata, XfsIoFsmap.free(fs));
        }

    }

    abstract static class XfsSuite extends PluginConformanceSuite {
        @Override
        protected FilesystemPlugin plugin() {
            return new XfsPlugin();
        }

        @Override
        protected boolean supportsReflink() {
            return true;
        }

        @Override
        protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
            return XfsIoFsmap.facts(fs);
        }

        /** XFS without rmapbt is indexed from its tree, so a mount of a subdirectory is refused. */
        @Override
        protected Refusal refusal(ConformanceFilesystem fs) throws IOException {
            ConformanceFilesystem withoutRmap = ConformanceFilesystem.of(
                    ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").create());
            try {
                ConformanceFilesystem.BindMount bind = withoutRmap.bindMount("sub");
                return new Refusal(bind.mount(), List.of("attach a mount of its root"), () -> {
                    try {
                        bind.close();
                    } finally {
                        withoutRmap.close();
                    }
                });
            } catch (IOException | RuntimeException e) {
                try {
                    withoutRmap.close();
                } catch (Exception cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }
}
