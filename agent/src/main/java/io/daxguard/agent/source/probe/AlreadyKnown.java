package io.daxguard.agent.source.probe;

import io.daxguard.spi.DeviceNumber;

/**
 * Whether a suspect range touches damage handed on already or waiting to be (the ingest queue's memory): the failure
 * is explained by it, and it is not probed again. Without this, two probers (two agents, or any other tool that
 * bisects with O_DIRECT) would re-read each other's failing reads without end.
 */
@FunctionalInterface
public interface AlreadyKnown {
    boolean touches(DeviceNumber device, long offset, long length);
}
