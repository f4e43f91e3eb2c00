package io.daxguard.btrfs;

/** A btrfs fsid or device uuid in its usual text form, lower case with dashes. */
final class Uuids {
    private Uuids() {
    }

    static String format(byte[] uuid) {
        StringBuilder text = new StringBuilder(36);
        for (int i = 0; i < uuid.length; i++) {
            if (uuid.length == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) {
                text.append('-');
            }
            text.append(Character.forDigit((uuid[i] >> 4) & 0xf, 16)).append(Character.forDigit(uuid[i] & 0xf, 16));
        }
        return text.toString();
    }
}
