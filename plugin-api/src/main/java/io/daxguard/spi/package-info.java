/**
 * The daxguard filesystem plugin SPI: the user-space twin of the kernel's {@code dax_holder_operations}.
 *
 * <p>The agent turns every media failure into a filesystem-relative {@link io.daxguard.spi.FailureRange}
 * and hands it to the {@link io.daxguard.spi.Holder} of the filesystem mounted on that device range. The
 * holder answers with every {@link io.daxguard.spi.Owner} of the range: file data (all sharers of
 * reflinked blocks), attribute forks and extent maps, named metadata, free space. A plugin is found
 * through {@link java.util.ServiceLoader} as a {@link io.daxguard.spi.FilesystemPlugin}.
 *
 * <p>This package is the whole SPI and depends on the JDK alone; it is the only package of daxguard's a plugin's
 * class loader shares with the agent. What plugins may share beyond it (the Linux native wrappers, the
 * reverse-map index) is the support library, {@code plugin-support}, which each plugin bundles; the fixtures
 * and the conformance suite are {@code plugin-testkit}.
 */
package io.daxguard.spi;
