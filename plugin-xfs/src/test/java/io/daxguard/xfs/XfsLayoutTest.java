package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.testkit.CLayoutProbe;
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
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("XFS_IOC_FSGEOMETRY", XfsGeometry.XFS_IOC_FSGEOMETRY);
        java.put("XFS_IOC_FSGEOMETRY_V4", XfsGeometry.XFS_IOC_FSGEOMETRY_V4);
        java.put("sizeof xfs_fsop_geom", (long) XfsGeometry.SIZE);
        java.put("sizeof xfs_fsop_geom_v4", (long) XfsGeometry.SIZE_V4);
        java.put("xfs_fsop_geom.blocksize", (long) XfsGeometry.OFFSET_BLOCKSIZE);
        java.put("xfs_fsop_geom.agblocks", (long) XfsGeometry.OFFSET_AGBLOCKS);
        java.put("xfs_fsop_geom.agcount", (long) XfsGeometry.OFFSET_AGCOUNT);
        java.put("xfs_fsop_geom.logblocks", (long) XfsGeometry.OFFSET_LOGBLOCKS);
        java.put("xfs_fsop_geom.datablocks", (long) XfsGeometry.OFFSET_DATABLOCKS);
        java.put("xfs_fsop_geom.rtblocks", (long) XfsGeometry.OFFSET_RTBLOCKS);
        java.put("xfs_fsop_geom.logstart", (long) XfsGeometry.OFFSET_LOGSTART);
        java.put("xfs_fsop_geom.uuid", (long) XfsGeometry.OFFSET_UUID);
        java.put("xfs_fsop_geom.flags", (long) XfsGeometry.OFFSET_FLAGS);
        java.put("XFS_FSOP_GEOM_FLAGS_RMAPBT", (long) XfsGeometry.FLAG_RMAPBT);
        java.put("XFS_FSOP_GEOM_FLAGS_REFLINK", (long) XfsGeometry.FLAG_REFLINK);

        assertThat(java).isEqualTo(fromC("XFS_IOC_FSGEOMETRY", "xfs_fsop_geom", "XFS_FSOP_GEOM_FLAGS_"));
    }

    @Test
    void bulkstatMatchesXfsBulkIreqAndXfsBulkstat() {
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("XFS_IOC_BULKSTAT", XfsBulkstat.XFS_IOC_BULKSTAT);
        java.put("sizeof xfs_bulk_ireq", (long) XfsBulkstat.IREQ_SIZE);
        java.put("sizeof xfs_bulkstat", (long) XfsBulkstat.BULKSTAT_SIZE);
        java.put("xfs_bulk_ireq.ino", (long) XfsBulkstat.IREQ_INO);
        java.put("xfs_bulk_ireq.flags", (long) XfsBulkstat.IREQ_FLAGS);
        java.put("xfs_bulk_ireq.icount", (long) XfsBulkstat.IREQ_ICOUNT);
        java.put("xfs_bulk_ireq.ocount", (long) XfsBulkstat.IREQ_OCOUNT);
        java.put("xfs_bulkstat.bs_ino", (long) XfsBulkstat.BS_INO);
        java.put("xfs_bulkstat.bs_size", (long) XfsBulkstat.BS_SIZE);
        java.put("xfs_bulkstat.bs_gen", (long) XfsBulkstat.BS_GEN);
        java.put("xfs_bulkstat.bs_nlink", (long) XfsBulkstat.BS_NLINK);
        java.put("xfs_bulkstat.bs_mode", (long) XfsBulkstat.BS_MODE);

        assertThat(java).isEqualTo(fromC("XFS_IOC_BULKSTAT", "xfs_bulk_ireq", "xfs_bulkstat"));
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
