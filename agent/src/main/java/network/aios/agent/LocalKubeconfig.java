package network.aios.agent;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's own {@code --kubeconfig}, read the way kubectl reads it: by fabric8's loader, so certificate
 * files, exec plugins, auth providers and token files work. This kubeconfig belongs to whoever runs the agent
 * as a local process on their own machine, and the agent runs with that person's rights: loading it crosses no
 * trust boundary. Kubeconfigs sent <em>to</em> the control plane by cluster owners are another matter: those
 * go through the strict parser ({@code network.aios.api.kubeconfig}), and this class is the one place in the
 * product allowed to call fabric8's loader ({@code NoOwnerTextToFabric8Test}).
 */
final class LocalKubeconfig {
    private LocalKubeconfig() {}

    /** {@code file}'s current context; relative paths in it resolve against the file's directory, as kubectl does. */
    static Config load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --kubeconfig " + file, e);
        }
        try {
            return Config.fromKubeconfig(null, text, file.toAbsolutePath().toString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--kubeconfig " + file + " cannot be used: " + e.getMessage(), e);
        }
    }
}
