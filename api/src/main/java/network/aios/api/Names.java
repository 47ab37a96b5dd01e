package network.aios.api;

import java.util.regex.Pattern;

/** The naming rules Kubernetes imposes, checked in one place. */
public final class Names {
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?");

    private Names() {}

    /** A DNS-1123 label: usable as a namespace, a Service name, or inside any object name. */
    public static boolean isDns1123Label(String s) {
        return s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
    }

    /** A DNS-1035 label (a DNS-1123 label starting with a letter): what a Service may be named. */
    public static boolean isDns1035Label(String s) {
        return s.length() <= 63 && DNS1035_LABEL.matcher(s).matches();
    }

    /** A valid Kubernetes label value (non-empty), e.g. the {@code nodeID} label of a node. */
    public static boolean isLabelValue(String s) {
        return s.length() <= 63 && LABEL_VALUE.matcher(s).matches();
    }

    /** An RFC 1123 host name (an IPv4 address also passes). */
    public static boolean isHostname(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (label.length() > 63 || !HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
