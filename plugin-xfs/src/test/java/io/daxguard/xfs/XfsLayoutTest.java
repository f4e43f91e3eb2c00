package io.daxguard.xfs;

import static io.daxguard.testkit.CLayoutProbe.javaValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.CLayoutProbe;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The XFS structure offsets and ioctl numbers the plugin decodes with equal those of xfs_fs.h (xfslibs-dev). */
class XfsLayoutTest {
    private static Map<String, Long> c;

    @BeforeAll
    static void askTheCompiler() throws IOException {
        // xfs_fs.h relies on the types xfs.h sets up before including it.
        c = CLayoutProbe.including("<linux/fsmap.h>", "<xfs/xfs.h>", "<xfs/xfs_fs.h>")
                .value("XFS_IOC_FSGEOMETRY", "XFS_IOC_FSGEOMETRY")
                .value("XFS_IOC_FSGEOMETRY_V4", "XFS_IOC_FSGEOMETRY_V4")
                .sizeOf("xfs_fsop_geom").sizeOf("xfs_fsop_geom_v4")
                .offsetOf("xfs_fsop_geom", "blocksize", "agblocks", "agcount", "logblocks", "datablocks", "rtblocks",
                        "logstart", "uuid", "flags")
                .value("XFS_FSOP_GEOM_FLAGS_RMAPBT", "XFS_FSOP_GEOM_FLAGS_RMAPBT")
                .value("XFS_FSOP_GEOM_FLAGS_REFLINK", "XFS_FSOP_GEOM_FLAGS_REFLINK")
                .value("XFS_IOC_BULKSTAT", "XFS_IOC_BULKSTAT")
                .sizeOf("xfs_bulk_ireq").sizeOf("xfs_bulkstat")
                .offsetOf("xfs_bulk_ireq", "ino", "flags", "icount", "ocount")
                .offsetOf("xfs_bulkstat", "bs_ino", "bs_size", "bs_gen", "bs_nlink", "bs_mode")
                .value("XFS_FMR_OWN_FS", "XFS_FMR_OWN_FS")
                .value("XFS_FMR_OWN_LOG", "XFS_FMR_OWN_LOG")
                .value("XFS_FMR_OWN_AG", "XFS_FMR_OWN_AG")
                .value("XFS_FMR_OWN_INOBT", "XFS_FMR_OWN_INOBT")
                .value("XFS_FMR_OWN_INODES", "XFS_FMR_OWN_INODES")
                .value("XFS_FMR_OWN_REFC", "XFS_FMR_OWN_REFC")
                .value("XFS_FMR_OWN_COW", "XFS_FMR_OWN_COW")
                .value("XFS_FMR_OWN_DEFECTIVE", "XFS_FMR_OWN_DEFECTIVE")
                .run();
    }

    @Test
    void geometryMatchesXfsFsopGeom() {
        assertThat(javaValues(
                "XFS_IOC_FSGEOMETRY", XfsGeometry.XFS_IOC_FSGEOMETRY,
                "XFS_IOC_FSGEOMETRY_V4", XfsGeometry.XFS_IOC_FSGEOMETRY_V4,
                "sizeof xfs_fsop_geom", XfsGeometry.SIZE,
                "sizeof xfs_fsop_geom_v4", XfsGeometry.SIZE_V4,
                "xfs_fsop_geom.blocksize", XfsGeometry.OFFSET_BLOCKSIZE,
                "xfs_fsop_geom.agblocks", XfsGeometry.OFFSET_AGBLOCKS,
                "xfs_fsop_geom.agcount", XfsGeometry.OFFSET_AGCOUNT,
                "xfs_fsop_geom.logblocks", XfsGeometry.OFFSET_LOGBLOCKS,
                "xfs_fsop_geom.datablocks", XfsGeometry.OFFSET_DATABLOCKS,
                "xfs_fsop_geom.rtblocks", XfsGeometry.OFFSET_RTBLOCKS,
                "xfs_fsop_geom.logstart", XfsGeometry.OFFSET_LOGSTART,
                "xfs_fsop_geom.uuid", XfsGeometry.OFFSET_UUID,
                "xfs_fsop_geom.flags", XfsGeometry.OFFSET_FLAGS,
                "XFS_FSOP_GEOM_FLAGS_RMAPBT", XfsGeometry.FLAG_RMAPBT,
                "XFS_FSOP_GEOM_FLAGS_REFLINK", XfsGeometry.FLAG_REFLINK))
                .isEqualTo(fromC("XFS_IOC_FSGEOMETRY", "xfs_fsop_geom", "XFS_FSOP_GEOM_FLAGS_"));
    }

    @Test
    void bulkstatMatchesXfsBulkIreqAndXfsBulkstat() {
        assertThat(javaValues(
                "XFS_IOC_BULKSTAT", XfsBulkstat.XFS_IOC_BULKSTAT,
                "sizeof xfs_bulk_ireq", XfsBulkstat.IREQ_SIZE,
                "sizeof xfs_bulkstat", XfsBulkstat.BULKSTAT_SIZE,
                "xfs_bulk_ireq.ino", XfsBulkstat.IREQ_INO,
                "xfs_bulk_ireq.flags", XfsBulkstat.IREQ_FLAGS,
                "xfs_bulk_ireq.icount", XfsBulkstat.IREQ_ICOUNT,
                "xfs_bulk_ireq.ocount", XfsBulkstat.IREQ_OCOUNT,
                "xfs_bulkstat.bs_ino", XfsBulkstat.BS_INO,
                "xfs_bulkstat.bs_size", XfsBulkstat.BS_SIZE,
                "xfs_bulkstat.bs_gen", XfsBulkstat.BS_GEN,
                "xfs_bulkstat.bs_nlink", XfsBulkstat.BS_NLINK,
                "xfs_bulkstat.bs_mode", XfsBulkstat.BS_MODE))
                .isEqualTo(fromC("XFS_IOC_BULKSTAT", "xfs_bulk_ireq", "xfs_bulkstat"));
    }

    @Test
    void specialOwnersMatchXfsFmrOwn() {
        Map<String, Long> java = new LinkedHashMap<>();
        String[] names = {"FS", "LOG", "AG", "INOBT", "INODES", "REFC", "COW", "DEFECTIVE"};
        for (XfsSpecialOwner owner : XfsSpecialOwner.values()) {
            java.put("XFS_FMR_OWN_" + names[owner.ordinal()], owner.owner());
        }

        assertThat(java).isEqualTo(fromC("XFS_FMR_OWN_"));
    }

    /** The compiler's values whose names start with a prefix; {@code "x"} also matches {@code "sizeof x"}. */
    private static Map<String, Long> fromC(String... prefixes) {
        Map<String, Long> values = new LinkedHashMap<>();
        c.forEach((name, value) -> {
            for (String prefix : prefixes) {
                if (name.startsWith(prefix) || name.startsWith("sizeof " + prefix)) {
                    values.put(name, value);
                }
            }
        });
        return values;
    }
}
