package network.aios.server.quotas;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import network.aios.api.FieldError;
import network.aios.server.auth.Principal;
import network.aios.server.domain.DomainException;
import network.aios.store.QuotaStore;
import tools.jackson.databind.JsonNode;

/**
 * Per-owner quotas, set by the network admin: how many clusters and add-ons an owner may register, how many
 * infrastructure jobs it may have unfinished, how many command grants it may ask for a minute. The first
 * three are counted in the database, in the transaction that would pass them (so they hold across replicas
 * and under concurrent requests); commands per minute are counted per replica. The admin is not limited.
 */
public final class QuotaService {
    /** The path segment that names the network's default instead of an owner (no owner name starts with _). */
    public static final String DEFAULT = "_default";

    /** The fields of a quota as the API spells them. */
    public static final List<String> FIELDS =
            List.of("clusters", "addons", "jobs", "commandsPerMinute", "routesPerCluster");

    static final int MAX = 1_000_000;

    private static final java.util.regex.Pattern OWNER =
            java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9.@_]{0,61}[a-z0-9])?");

    /** A quota as shown: who it is for, what is in force, what the owner holds now (null for the default). */
    public record View(String owner, QuotaStore.Quota set, QuotaStore.Quota effective, QuotaStore.Usage usage) {}

    private record Minute(long minute, int count) {}

    private final QuotaStore store;
    private final Clock clock;
    private final Map<String, Minute> commands = new network.aios.server.runtime.BoundedLru<>(100_000);

    public QuotaService(QuotaStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The default and every override (admin). */
    public List<View> list(Principal who) {
        Principal.requireAdmin(who);
        List<View> out = new ArrayList<>();
        QuotaStore.Quota dflt = null;
        for (QuotaStore.Row r : store.all()) {
            if (QuotaStore.DEFAULT.equals(r.owner())) {
                dflt = r.quota();
                out.add(new View(DEFAULT, r.quota(), r.quota(), null));
            } else {
                out.add(new View(r.owner(), r.quota(), r.quota().over(dflt), store.usage(r.owner())));
            }
        }
        return out;
    }

    /** One owner's quota in force and what it holds (the admin, or that owner), or the default. */
    public View get(Principal who, String owner) {
        String key = key(owner);
        if (!who.isAdmin() && !(who.role() == Principal.Role.OWNER && who.name().equals(owner))) {
            throw DomainException.forbidden("an owner may read its own quota only");
        }
        QuotaStore.Quota set =
                store.get(key).map(QuotaStore.Row::quota).orElse(new QuotaStore.Quota(null, null, null, null, null));
        return key.equals(QuotaStore.DEFAULT)
                ? new View(DEFAULT, set, set, null)
                : new View(owner, set, store.effective(owner), store.usage(owner));
    }

    /**
     * Sets an owner's quota (or the default) to {@code body}: an object with any of {@link #FIELDS}, each a
     * whole number from 0 to 1,000,000, or null (an owner's: the default's applies). Fields left out are null.
     */
    public View set(Principal who, String owner, JsonNode body) {
        Principal.requireAdmin(who);
        String key = key(owner);
        if (body == null || !body.isObject()) {
            throw DomainException.invalid(List.of(new FieldError("", "must be a JSON object")));
        }
        List<FieldError> errors = new ArrayList<>();
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError("/" + name, "unknown quota; the quotas are " + String.join(", ", FIELDS)));
            }
        }
        Integer[] values = new Integer[FIELDS.size()];
        for (int i = 0; i < FIELDS.size(); i++) {
            JsonNode v = body.get(FIELDS.get(i));
            if (v == null || v.isNull()) {
                if (key.equals(QuotaStore.DEFAULT) && v != null) {
                    errors.add(new FieldError("/" + FIELDS.get(i), "the default needs a number"));
                }
                continue;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > MAX) {
                errors.add(
                        new FieldError("/" + FIELDS.get(i), "must be a whole number from 0 to " + MAX + ", or null"));
                continue;
            }
            values[i] = v.asInt();
        }
        if (key.equals(QuotaStore.DEFAULT)) {
            QuotaStore.Quota old = store.get(key).orElseThrow().quota();
            // the default keeps what the request leaves out: it must always name every quota
            values[0] = values[0] != null ? values[0] : old.clusters();
            values[1] = values[1] != null ? values[1] : old.addons();
            values[2] = values[2] != null ? values[2] : old.jobs();
            values[3] = values[3] != null ? values[3] : old.commandsPerMinute();
            values[4] = values[4] != null ? values[4] : old.routesPerCluster();
        }
        if (!errors.isEmpty()) {
            throw DomainException.invalid(errors);
        }
        store.put(
                key,
                new QuotaStore.Quota(values[0], values[1], values[2], values[3], values[4]),
                who.name(),
                clock.instant());
        return get(who, owner);
    }

    /** Drops an owner's override: the default applies again. */
    public void delete(Principal who, String owner) {
        Principal.requireAdmin(who);
        String key = key(owner);
        if (key.equals(QuotaStore.DEFAULT)) {
            throw DomainException.badRequest(
                    "the default cannot be deleted; set it instead",
                    List.of(new FieldError("/path/owner", "names the network's default")));
        }
        if (!store.delete(key, who.name(), clock.instant())) {
            throw DomainException.notFound("quota override for '" + owner + "'");
        }
    }

    /** Counts one command grant for {@code who}: past its quota this minute, 429 until the next one. */
    public void takeCommand(Principal who) {
        String owner = who.quotaOwner();
        if (owner == null) {
            return;
        }
        Integer limit = store.effective(owner).commandsPerMinute();
        Instant now = clock.instant();
        long minute = now.getEpochSecond() / 60;
        synchronized (commands) {
            Minute m = commands.get(owner);
            int used = m == null || m.minute() != minute ? 0 : m.count();
            if (limit != null && used >= limit) {
                long retry = limit == 0 ? 0 : (minute + 1) * 60 - now.getEpochSecond();
                throw new QuotaStore.Exceeded("commandsPerMinute", limit, owner, retry);
            }
            commands.put(owner, new Minute(minute, used + 1));
        }
    }

    /**
     * A quota refusal as the API answers it, naming the quota, its limit and who raises it: 429 when it frees
     * by itself (send again after {@code Retry-After}), 403 when the owner must free some or the admin raise it.
     */
    public static DomainException refusal(QuotaStore.Exceeded e) {
        long retryAfterSeconds = e.retryAfterSeconds();
        return new DomainException(
                retryAfterSeconds > 0 ? DomainException.Kind.TOO_MANY_REQUESTS : DomainException.Kind.FORBIDDEN,
                "quota_exceeded",
                "owner '" + e.owner() + "' has reached its quota " + e.quota() + " = " + e.limit()
                        + (retryAfterSeconds > 0 ? "; retry in " + retryAfterSeconds + " s" : ""),
                List.of(new FieldError("/quota/" + e.quota(), "limit " + e.limit())),
                retryAfterSeconds > 0
                        ? null
                        : "free some (delete a registration, let a job finish) or ask the network admin to raise it: "
                                + "aios quota set " + e.owner() + " --" + flag(e.quota()) + " N");
    }

    private static String flag(String quota) {
        return quota.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static String key(String owner) {
        if (DEFAULT.equals(owner)) {
            return QuotaStore.DEFAULT;
        }
        if (owner == null || !OWNER.matcher(owner).matches()) {
            throw DomainException.badRequest(
                    "invalid owner name",
                    List.of(new FieldError("/path/owner", "must be an owner's token name, or " + DEFAULT)));
        }
        return owner;
    }
}
