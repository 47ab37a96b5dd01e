package network.aios.store;

import java.util.List;

/** List filters; null or empty means "any". Results are ordered by id; {@code after} is the page cursor. */
public record ClusterQuery(
        String owner,
        String region,
        String status,
        List<String> tags,
        String gpuModel,
        Integer minGpus,
        Integer minVcpus,
        Long minMemoryMb,
        String after,
        int limit) {}
