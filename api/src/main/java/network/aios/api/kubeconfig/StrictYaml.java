package network.aios.api.kubeconfig;

import java.util.Iterator;
import java.util.Optional;
import network.aios.api.Json;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * YAML for text we did not write: one document of mappings, sequences and scalars, built straight from
 * the parser's events into a JSON tree. Refused, because a second reader could see something else in
 * them: anchors and aliases, explicit tags ({@code !!merge}, {@code !!binary}, local tags), merge keys
 * ({@code <<}), duplicate keys, non-scalar keys, several documents. Plain scalars stay strings except
 * {@code true}/{@code false}/{@code null}; nothing is resolved into any other type.
 */
public final class StrictYaml {
    /** Deeper than any kubeconfig; a bound so hostile nesting cannot exhaust the stack. */
    static final int MAX_DEPTH = 32;

    private static final LoadSettings SETTINGS = LoadSettings.builder()
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(0)
            .setCodePointLimit(1024 * 1024)
            .setParseComments(false)
            .build();

    private StrictYaml() {}

    /** A refusal, with the 1-based line it was found on (0 when unknown). */
    public static final class YamlRefused extends Exception {
        private final int line;

        YamlRefused(String message, int line) {
            super(message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    public static JsonNode parse(String text) throws YamlRefused {
        Iterator<Event> events;
        try {
            events = new Parse(SETTINGS).parseString(text).iterator();
            Reader r = new Reader(events);
            return r.document();
        } catch (MarkedYamlEngineException e) {
            throw new YamlRefused("is not valid YAML: " + firstLine(e.getProblem()), line(e.getProblemMark()));
        } catch (YamlEngineException e) {
            throw new YamlRefused("is not valid YAML: " + firstLine(e.getMessage()), 0);
        } catch (RuntimeException e) {
            // the scanner's own slips on malformed input (found by fuzzing: a truncated \\u escape throws
            // NumberFormatException): still just text we refuse, never a server error
            throw new YamlRefused("is not valid YAML", 0);
        }
    }

    private static final class Reader {
        private final Iterator<Event> events;

        Reader(Iterator<Event> events) {
            this.events = events;
        }

        JsonNode document() throws YamlRefused {
            expect(Event.ID.StreamStart);
            Event e = next();
            if (e.getEventId() == Event.ID.StreamEnd) {
                return null;
            }
            if (e.getEventId() != Event.ID.DocumentStart) {
                throw refused("does not start a document", e);
            }
            JsonNode root = node(next(), 0);
            expect(Event.ID.DocumentEnd);
            Event after = next();
            if (after.getEventId() != Event.ID.StreamEnd) {
                throw refused("holds more than one YAML document; send one kubeconfig", after);
            }
            return root;
        }

        private JsonNode node(Event e, int depth) throws YamlRefused {
            if (depth > MAX_DEPTH) {
                throw refused("is nested deeper than " + MAX_DEPTH + " levels", e);
            }
            if (e.getEventId() == Event.ID.Alias) {
                throw refused("uses a YAML alias (*name); write the value out instead", e);
            }
            if (e instanceof NodeEvent n && n.getAnchor().isPresent()) {
                throw refused("uses a YAML anchor (&name); anchors and aliases are not accepted", e);
            }
            Optional<String> tag = e instanceof ScalarEvent s
                    ? s.getTag()
                    : e instanceof CollectionStartEvent c ? c.getTag() : Optional.empty();
            if (tag.isPresent()) {
                throw refused("uses the explicit YAML tag '" + tag.get() + "'; tags are not accepted", e);
            }
            switch (e.getEventId()) {
                case Scalar:
                    return scalar((ScalarEvent) e);
                case SequenceStart: {
                    ArrayNode list = Json.MAPPER.createArrayNode();
                    for (Event item = next(); item.getEventId() != Event.ID.SequenceEnd; item = next()) {
                        list.add(node(item, depth + 1));
                    }
                    return list;
                }
                case MappingStart: {
                    ObjectNode map = Json.object();
                    for (Event k = next(); k.getEventId() != Event.ID.MappingEnd; k = next()) {
                        if (!(k instanceof ScalarEvent key)
                                || key.getAnchor().isPresent()
                                || key.getTag().isPresent()) {
                            throw refused("has a key that is not a plain string", k);
                        }
                        String name = key.getValue();
                        if ("<<".equals(name) && key.getScalarStyle() == ScalarStyle.PLAIN) {
                            throw refused("uses a YAML merge key (<<); write the fields out instead", k);
                        }
                        if (map.has(name)) {
                            throw refused("has the key '" + name + "' twice", k);
                        }
                        map.set(name, node(next(), depth + 1));
                    }
                    return map;
                }
                default:
                    throw refused("has an unexpected " + e.getEventId(), e);
            }
        }

        private static JsonNode scalar(ScalarEvent s) {
            String v = s.getValue();
            if (s.getScalarStyle() == ScalarStyle.PLAIN) {
                switch (v) {
                    case "true", "True", "TRUE":
                        return Json.MAPPER.getNodeFactory().booleanNode(true);
                    case "false", "False", "FALSE":
                        return Json.MAPPER.getNodeFactory().booleanNode(false);
                    case "", "~", "null", "Null", "NULL":
                        return Json.MAPPER.getNodeFactory().nullNode();
                    default:
                        break;
                }
            }
            return Json.MAPPER.getNodeFactory().stringNode(v);
        }

        private Event next() throws YamlRefused {
            if (!events.hasNext()) {
                throw new YamlRefused("ends too early", 0);
            }
            return events.next();
        }

        private void expect(Event.ID id) throws YamlRefused {
            Event e = next();
            if (e.getEventId() != id) {
                throw refused("has an unexpected " + e.getEventId(), e);
            }
        }

        private static YamlRefused refused(String why, Event e) {
            return new YamlRefused(why, line(e.getStartMark()));
        }
    }

    private static int line(Optional<Mark> mark) {
        return mark.map(m -> m.getLine() + 1).orElse(0);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
