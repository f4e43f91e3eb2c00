package io.daxguard.agent.jmx;

import java.util.List;

/**
 * One page of {@code resolvePage}: the owners of at most {@code mbeans.resolveBytes} bytes of the asked range.
 * An owner that crosses a page boundary is in both pages, each time trimmed to the page.
 *
 * @param offset     first byte this page answers (the asked offset)
 * @param length     bytes this page answers
 * @param nextOffset where the next page starts (ask {@code resolvePage(nextOffset, remainingBytes)}); -1 after the
 *                   last page
 * @param remainingBytes bytes of the asked range after this page; 0 after the last page
 * @param owners     every owner of this page's bytes, in physical order
 */
public record ResolvePage(long offset, long length, long nextOffset, long remainingBytes, List<OwnerView> owners) {
}
