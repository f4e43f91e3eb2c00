package io.daxguard.spi;

/** Nothing owns the range: it is free space. Damage here loses no data but must not be allocated. */
public record FreeSpaceOwner(long physicalOffset, long length) implements Owner {
    public FreeSpaceOwner {
        Owner.checkRange(physicalOffset, length);
    }
}
