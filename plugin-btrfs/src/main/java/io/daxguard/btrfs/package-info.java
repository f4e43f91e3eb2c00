/**
 * The btrfs plugin: owners from btrfs's own trees (device, chunk and extent trees) and backreferences
 * ({@code LOGICAL_INO_V2}), over one device or several, with the redundancy of each chunk's profile, repair by
 * scrub, and btrfs's own kernel messages read for the damage they report.
 */
package io.daxguard.btrfs;
