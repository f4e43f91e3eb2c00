/**
 * The daxguard filesystem plugin SPI: the user-space twin of the kernel's {@code dax_holder_operations}.
 *
 * <p>The agent turns every media failure into a filesystem-relative {@link io.daxguard.spi.FailureRange}
 * and hands it to the {@link io.daxguard.spi.Holder} of the filesystem mounted on that device range. The
 * holder answers with every {@link io.daxguard.spi.Owner} of the range: file data (all sharers of
 * reflinked blocks), attribute forks and extent maps, named metadata, free space. A plugin is found
 * through {@link java.util.ServiceLoader} as a {@link io.daxguard.spi.FilesystemPlugin}.
 *
 * <p>This package depends on nothing of daxguard's; plugins depend on it and on nothing else of ours.
 * Native calls shared by plugins and the agent live once in {@link io.daxguard.spi.linux}.
 */
package io.daxguard.spi;
