/**
 * The XFS filesystem plugin: reverse-maps failed byte ranges to owners through {@code FS_IOC_GETFSMAP} over the
 * reverse-map btree, with inode generations from {@code XFS_IOC_BULKSTAT} ({@code XfsHolder}). Depends on the
 * plugin API only.
 *
 * <p>A filesystem made without the reverse-map btree ({@code mkfs.xfs -m rmapbt=0}) is held through the plugin
 * API's index ({@link io.daxguard.support.index.LiveReverseMap}, FIEMAP per file): {@code XfsIndexedHolder}. With
 * rmapbt, {@code CAP_SYS_ADMIN} is checked when attaching (without it XFS answers GETFSMAP from the free-space
 * btree and names no owners).
 */
package io.daxguard.xfs;
