package network.aios.cli;

/** The pause between two polls of a command that waits (jobs, heartbeats, an agent starting to listen). */
final class Polling {
    private Polling() {}

    static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", 3);
        }
    }
}
