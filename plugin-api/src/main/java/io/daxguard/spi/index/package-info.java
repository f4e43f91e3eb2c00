/**
 * A reverse map for filesystems that keep none (ext4; XFS made without {@code -m rmapbt=1}): "which file
 * owns this physical range", answered fast and never with the wrong file.
 *
 * <p><b>How it works.</b> An {@link io.daxguard.spi.index.ExtentIndex} is a compact snapshot (parallel
 * primitive arrays sorted by physical start, {@value io.daxguard.spi.index.ExtentIndex#BYTES_PER_EXTENT} bytes
 * per extent, plus per-file identity and every hard link's name) built by
 * {@link io.daxguard.spi.index.ExtentIndexBuilder}: a getdents walk for names, and either FIEMAP per file
 * (generic) or a filesystem's own {@link io.daxguard.spi.index.InodeScanner} (ext4: the inode tables). The
 * index only proposes: {@link io.daxguard.spi.index.LiveReverseMap} confirms every proposal against the
 * live file (reopened by name without following symlinks, same inode and generation, FIEMAP over the
 * proposed range maps the same bytes) and rebuilds a stale index instead of trusting it.
 *
 * <p><b>Using it from a plugin</b> (plugin-xfs when rmapbt is absent):
 * <pre>{@code
 * // attach(): start building on the map's own thread; returns at once
 * LiveReverseMap map = LiveReverseMap.start(mount.mountPoint(), IndexOptions.defaults(), context.logger(),
 *         progress -> { });                       // progress also readable any time: map.progress()
 *
 * // notifyFailure(range): one timestamp for the whole failure, so the index is rebuilt at most once
 * long asked = System.nanoTime();
 * // GETFSMAP over the range: FREE -> FreeSpaceOwner, named metadata -> MetadataOwner,
 * // OWN_UNKNOWN (allocated, owner not known to the filesystem) -> ask the map:
 * owners.addAll(map.ownersOfAllocated(from, to, asked)); // confirmed FileOwners + UnknownOwner for the rest
 * // optional fast path before GETFSMAP: map.ownersIfAllConfirmed(from, to) answers alone when live files
 * // account for every byte
 *
 * // paths: map.pathsOf(inode) gives every hard link from the same walk
 * // close(): map.close() stops and joins the thread
 * }</pre>
 * Before the first build has finished, {@code ownersOfAllocated} answers an
 * {@link io.daxguard.spi.UnknownOwner} saying how far the build is; tests call
 * {@link io.daxguard.spi.index.LiveReverseMap#awaitIndex}.
 */
package io.daxguard.spi.index;
