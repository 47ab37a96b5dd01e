package network.aios.member;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig file of whoever runs this process, read the way kubectl reads it: by fabric8's loader, so
 * certificate files, exec plugins, auth providers and token files work. Two programs do that, each on its user's
 * own machine with that user's rights, so loading it crosses no trust boundary: the agent run as a local process
 * ({@code --kubeconfig}) and the owner's helpers of the CLI ({@code aios cluster init}, {@code aios cluster
 * label-nodes}), which talk to the owner's cluster directly and send nothing to the control plane. Kubeconfigs
 * sent <em>to</em> the control plane by cluster owners are another matter: those go through the strict parser
 * ({@code network.aios.api.kubeconfig}, then {@link Kubeconfigs}). This class is the one place in the product
 * allowed to call fabric8's loader, and only the agent's start and the CLI's owner helpers may use it (ArchUnit:
 * {@code agent/NoOwnerTextToFabric8Test}, {@code cli/NoOwnerTextToFabric8CliTest}).
 */
public final class LocalKubeconfig {
    private LocalKubeconfig() {}

    /** {@code file}'s current context; relative paths in it resolve against the file's directory, as kubectl does. */
    public static Config load(Path file) {
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
