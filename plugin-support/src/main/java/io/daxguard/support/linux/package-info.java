/**
 * Linux native calls daxguard needs, each wrapped once, direct-mapped through JNA.
 *
 * <p>Every kernel structure is decoded from a {@link com.sun.jna.Memory} buffer at documented byte offsets
 * (JNA {@code Structure} cannot express flexible array members); the layouts are those of x86-64 and other
 * LP64 Linux targets and are checked by unit tests. Flags whose values differ between architectures come from
 * {@link io.daxguard.support.linux.LinuxConstants}, which refuses an architecture it has no table for. A failed
 * call throws {@link io.daxguard.support.linux.NativeCallException}, which names the call, the file and the errno.
 */
package io.daxguard.support.linux;
