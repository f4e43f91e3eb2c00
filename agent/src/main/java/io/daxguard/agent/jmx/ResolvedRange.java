package io.daxguard.agent.jmx;

import java.util.List;

/**
 * One range of {@code resolveRanges}, as a plain JMX client reads it (a CompositeData row).
 *
 * @param offset first byte asked, relative to the start of the filesystem
 * @param length bytes asked
 * @param owners every owner of the range, as {@code resolve} answers it
 */
public record ResolvedRange(long offset, long length, List<OwnerView> owners) {
}
