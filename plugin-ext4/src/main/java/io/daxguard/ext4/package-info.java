/**
 * The ext4 plugin. ext4 keeps no reverse map: its GETFSMAP names metadata (superblock, group descriptors,
 * reserved GDT blocks, bitmaps, inode tables) and free space but calls every file block, and the internal
 * journal, "unknown". {@link io.daxguard.ext4.Ext4Holder} therefore combines three sources: GETFSMAP; the
 * superblock and inode 7 (journal and resize-inode blocks); and a {@link io.daxguard.support.index.LiveReverseMap}
 * whose index comes from one pass over the inode tables ({@code plugins.ext4.indexSource=inode-tables}, the
 * default) or FIEMAP per file ({@code fiemap}), every owner confirmed against the live file. Extent-tree and
 * xattr blocks, which FIEMAP does not always show, come from the on-disk inode ({@code Ext4ExtraExtents}).
 * {@link io.daxguard.ext4.BadBlockList} turns damaged ranges into the list {@code e2fsck -l} reads.
 */
package io.daxguard.ext4;
