/**
 * A reverse map for filesystems that keep none (ext4; XFS made without {@code -m rmapbt=1}): "which file
 * owns this physical range", answered fast and never with the wrong file.
 *
 * <p><b>How it works.</b> An {@link io.daxguard.support.index.ExtentIndex} is a compact snapshot (bit-packed
 * columns sorted by physical start, 8.6 bytes per extent and 27.6 with per-file identity and every hard
 * link's name on the 200,000-file benchmark fixture) built by
 * {@link io.daxguard.support.index.ExtentIndexBuilder}: a getdents walk for names, and either FIEMAP per file
 * (generic) or a filesystem's own {@link io.daxguard.support.index.InodeScanner} (ext4: the inode tables). The
 * index only proposes: {@link io.daxguard.support.index.LiveReverseMap} confirms every proposal against the
 * live file (reopened by its file handle, or by name without following symlinks where handles cannot be used;
 * same inode and generation, FIEMAP over the proposed range maps the same bytes) and refreshes an index the
 * filesystem changed since instead of trusting it,
 * incrementally when fanotify named the changed files ({@code IncrementalRefresh}: only those are read again, and the
 * files changed with no event: rejected records, stale handles' inode numbers, files mapped shared and writable);
 * an index built after the filesystem's last change is trusted for blocks no file explains, so questions about an
 * unchanged filesystem never rebuild it ({@code IndexFreshness}). What was confirmed is
 * remembered until the filesystem next changes (fanotify, {@code FAN_MARK_FILESYSTEM}): the first question
 * after any write, truncate, rename or unlink confirms live again. Only the held filesystem is indexed: a root on
 * another device (the filesystem unmounted from it) is refused, and a file on another device never confirmed.
 *
 * <p><b>Using it from a plugin</b> (plugin-xfs when rmapbt is absent):
 * <pre>{@code
 * // attach(): start building on the map's own thread; returns at once
 * LiveReverseMap map = LiveReverseMap.start(mount.mountPoint(), IndexOptions.defaults(), context.logger(),
 *         progress -> { });                       // progress also readable any time: map.progress()
 *
 * // notifyFailure(range): one Question for the whole failure (or batch: map.answerAll), so the index is
 * // rebuilt at most once and the filesystem's change queue is read once
 * Question asked = map.question();
 * // GETFSMAP over the range: FREE -> FreeSpaceOwner, named metadata -> MetadataOwner,
 * // OWN_UNKNOWN (allocated, owner not known to the filesystem) -> ask the map:
 * owners.addAll(map.ownersOfAllocated(from, to, asked)); // confirmed FileOwners + UnknownOwner for the rest
 * // optional fast path before GETFSMAP: map.ownersIfAllConfirmed(from, to, asked) answers alone when live
 * // files account for every byte
 *
 * // paths: Holder.pathNames() -> map::verifiedPaths gives every hard link from the same walk, checked live
 * // close(): map.close() stops and joins the thread
 * }</pre>
 * With {@link io.daxguard.support.index.IndexOptions#withSavedIndex} (a {@link io.daxguard.support.index.SavedIndexFile} in
 * the plugin's {@link io.daxguard.spi.PluginContext#stateDirectory()}) every finished build is saved, and the next
 * start is ready at once from the saved index while a catch-up build runs; a saved index proposes like any other.
 *
 * <p>Before the first build has finished, {@code ownersOfAllocated} answers an
 * {@link io.daxguard.spi.UnknownOwner} saying how far the build is; tests call
 * {@link io.daxguard.support.index.LiveReverseMap#awaitIndex}.
 */
package io.daxguard.support.index;
