package io.daxguard.agent.source.probe;

import io.daxguard.spi.DeviceNumber;

/** Whether bytes of a device were handed on already (the ingest queue's memory): a suspect there is not probed again. */
@FunctionalInterface
public interface AlreadyKnown {
    boolean covers(DeviceNumber device, long offset, long length);
}
