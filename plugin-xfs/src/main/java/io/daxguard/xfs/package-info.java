/**
 * The XFS filesystem plugin: reverse-maps failed byte ranges to owners through {@code FS_IOC_GETFSMAP} over the
 * reverse-map btree, with inode generations from {@code XFS_IOC_BULKSTAT}. Depends on the plugin API only.
 *
 * <p>Requirements, checked when attaching: a filesystem made with {@code mkfs.xfs -m rmapbt=1}, and
 * {@code CAP_SYS_ADMIN} (without it XFS answers GETFSMAP from the free-space btree and names no owners).
 */
package io.daxguard.xfs;
