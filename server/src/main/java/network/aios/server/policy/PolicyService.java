package network.aios.server.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import network.aios.api.FieldError;
import network.aios.api.Json;
import network.aios.policy.CompiledPolicy;
import network.aios.policy.Decision;
import network.aios.policy.PolicyAction;
import network.aios.policy.PolicyCompileException;
import network.aios.policy.PolicyEngine;
import network.aios.policy.PolicySpec;
import network.aios.server.domain.DomainException;
import network.aios.store.PolicyRecord;
import network.aios.store.PolicyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

/** The network's pre-check policies: versioned per action, compiled once per version, evaluated per request. */
public final class PolicyService {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyService.class);
    private static final ObjectReader SPEC_READER =
            Json.MAPPER.readerFor(PolicySpec.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final PolicyStore store;
    private final PolicyEngine engine;
    private final Clock clock;
    private final Map<String, CompiledPolicy> compiled = new ConcurrentHashMap<>();

    /**
     * The version in force per action is re-read at most this often; a change made through this
     * replica applies at once, one made through another replica within this time.
     */
    public static final java.time.Duration CURRENT_TTL = java.time.Duration.ofSeconds(1);

    private record Current(Optional<PolicyRecord> record, java.time.Instant readAt) {}

    private final Map<String, Current> current = new ConcurrentHashMap<>();

    private final TrustedExecutors executors;

    public PolicyService(PolicyStore store, PolicyEngine engine, Clock clock, TrustedExecutors executors) {
        this.executors = executors;
        this.store = store;
        this.engine = engine;
        this.clock = clock;
    }

    /** A decision and the policy version that made it (null when the action has no policy: allow). */
    public record Admission(Decision decision, Integer version) {}

    public static PolicyAction action(String wire) {
        return PolicyAction.fromWire(wire)
                .orElseThrow(() ->
                        DomainException.notFound("policy action '" + wire + "' (known: " + PolicyAction.known() + ")"));
    }

    public Optional<PolicyRecord> current(PolicyAction action) {
        return store.current(action.wire());
    }

    public List<PolicyRecord> versions(PolicyAction action) {
        return store.versions(action.wire());
    }

    public Optional<PolicyRecord> version(PolicyAction action, int version) {
        return store.get(action.wire(), version);
    }

    /** Parses and compiles a submitted policy; 422 with pointers into it when it can't be used. */
    public static CompiledPolicy parse(JsonNode body) {
        PolicySpec spec;
        try {
            spec = SPEC_READER.readValue(body);
        } catch (JacksonException e) {
            throw DomainException.invalid(List.of(new FieldError(pointer(e), firstLine(e.getOriginalMessage()))));
        }
        try {
            return CompiledPolicy.compile(spec);
        } catch (PolicyCompileException e) {
            throw DomainException.invalid(e.errors());
        }
    }

    public PolicyRecord set(PolicyAction action, JsonNode body, String actor) {
        CompiledPolicy policy = parse(body);
        PolicySpec.Executor ex = policy.spec().executor();
        if (ex != null && ex.executorId() != null) {
            executors.problem(ex.executorId(), ex.owner()).ifPresent(p -> {
                throw DomainException.invalid(List.of(new FieldError("/executor/executorId", p)));
            });
        }
        PolicyRecord record = store.append(action.wire(), policy.spec(), actor, clock.instant());
        compiled.put(key(action.wire(), record.version()), policy);
        current.put(action.wire(), new Current(Optional.of(record), clock.instant()));
        LOG.info("policy {} set to version {} by {}", action.wire(), record.version(), actor);
        return record;
    }

    /**
     * Warns about policies in force that name a registered executor the network does not trust (one an
     * owner registered, set before executors had to be the admin's): they fail every check (502) until
     * the policy names the executor's owner or the admin registers it.
     */
    public void warnUntrustedExecutors() {
        for (PolicyAction a : PolicyAction.values()) {
            store.current(a.wire()).ifPresent(r -> {
                PolicySpec.Executor ex;
                try {
                    ex = parse(r.spec()).spec().executor();
                } catch (DomainException e) {
                    return;
                }
                if (ex != null && ex.executorId() != null) {
                    executors
                            .problem(ex.executorId(), ex.owner())
                            .ifPresent(p -> LOG.warn(
                                    "policy {} version {}: {}; " + "its checks fail (502) until that is fixed",
                                    a.wire(),
                                    r.version(),
                                    p));
                }
            });
        }
    }

    /** Evaluates the policy in force for {@code action}. */
    public Admission check(PolicyAction action, JsonNode clusterData, JsonNode oldClusterData) {
        return check(action, clusterData, oldClusterData, null);
    }

    /** As above, for a decision about one node ({@code add_node}, {@code remove_node}). */
    public Admission check(PolicyAction action, JsonNode clusterData, JsonNode oldClusterData, JsonNode nodeData) {
        Optional<PolicyRecord> inForce = inForce(action);
        if (inForce.isEmpty()) {
            return new Admission(Decision.allowed(), null);
        }
        PolicyRecord r = inForce.get();
        CompiledPolicy policy = compiled.computeIfAbsent(key(r.action(), r.version()), k -> parse(r.spec()));
        return new Admission(engine.evaluate(policy, clusterData, oldClusterData, nodeData), r.version());
    }

    /** The version of the policy in force for {@code action} (read at most once a second); empty: none. */
    public Optional<Integer> versionInForce(PolicyAction action) {
        return inForce(action).map(PolicyRecord::version);
    }

    private Optional<PolicyRecord> inForce(PolicyAction action) {
        java.time.Instant now = clock.instant();
        Current c = current.get(action.wire());
        if (c == null || c.readAt().plus(CURRENT_TTL).isBefore(now)) {
            c = new Current(store.current(action.wire()), now);
            current.put(action.wire(), c);
        }
        return c.record();
    }

    /** Evaluates a given (not stored) policy, for dry runs. */
    public Decision evaluate(CompiledPolicy policy, JsonNode clusterData, JsonNode oldClusterData, JsonNode nodeData) {
        return engine.evaluate(policy, clusterData, oldClusterData, nodeData);
    }

    /** Throws the HTTP answer for a decision that is not an allow. */
    public static void enforce(PolicyAction action, Admission admission) {
        Decision d = admission.decision();
        switch (d.outcome()) {
            case ALLOWED -> {}
            case DENIED ->
                throw new DomainException(
                        DomainException.Kind.FORBIDDEN,
                        "policy_denied",
                        "the network's " + action.wire() + " policy (version " + admission.version() + ") denied this: "
                                + String.join("; ", d.reasons()),
                        details(d),
                        null);
            case EXECUTOR_FAILED ->
                throw new DomainException(
                        DomainException.Kind.UPSTREAM_FAILED,
                        "policy_executor_failed",
                        "the network's " + action.wire() + " policy could not be evaluated: "
                                + String.join("; ", d.reasons()),
                        null,
                        "this is not a denial; retry when the policy executor is back");
        }
    }

    private static List<FieldError> details(Decision d) {
        List<FieldError> out = new ArrayList<>();
        d.reasons().forEach(r -> out.add(new FieldError("", r)));
        return out;
    }

    /**
     * Seeds the network's starting policies from a YAML or JSON file mapping action → policy. Only
     * actions with no stored policy are seeded, so later changes made through the API survive restarts.
     */
    public void seedFrom(Path file) {
        JsonNode root;
        try {
            root = Json.YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the policy file " + file, e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "the policy file " + file + " is not valid YAML/JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the policy file " + file + " must map action names to policies");
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            PolicyAction action = PolicyAction.fromWire(e.getKey())
                    .orElseThrow(() -> new IllegalArgumentException("the policy file " + file
                            + " names unknown action '" + e.getKey() + "'; known: " + PolicyAction.known()));
            CompiledPolicy policy;
            try {
                policy = parse(e.getValue());
            } catch (DomainException bad) {
                throw new IllegalArgumentException(
                        "the policy for " + e.getKey() + " in " + file + " is invalid: " + bad.details());
            }
            if (store.current(action.wire()).isEmpty()) {
                store.append(action.wire(), policy.spec(), "policy-file", clock.instant());
                LOG.info("seeded policy {} from {}", action.wire(), file);
            }
        }
    }

    private static String key(String action, int version) {
        return action + "@" + version;
    }

    private static String pointer(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            sb.append('/').append(ref.getPropertyName() != null ? ref.getPropertyName() : ref.getIndex());
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
