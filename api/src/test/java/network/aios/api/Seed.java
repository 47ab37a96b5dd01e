package network.aios.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.node.ObjectNode;

/** The seed's example document, read from examples/ at the repository root. */
final class Seed {
    private Seed() {}

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(Path.of("..", "examples", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode document() {
        return (ObjectNode) Json.MAPPER.readTree(bytes("cluster.json"));
    }
}
