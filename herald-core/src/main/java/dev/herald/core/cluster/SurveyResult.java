package dev.herald.core.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The merged answers to one survey: {@code answers} by node id (the requester's own included), {@code errors}
 * by node id for nodes that answered with an error, and {@code missing}, the nodes expected to answer that did
 * not within the timeout. Maps are ordered by node id; everything is immutable.
 */
public record SurveyResult<T>(Map<String, T> answers, Map<String, String> errors, List<String> missing) {

    public SurveyResult {
        answers = Collections.unmodifiableMap(new TreeMap<>(answers));
        errors = Collections.unmodifiableMap(new TreeMap<>(errors));
        missing = missing.stream().sorted().toList();
    }

    /** True when every expected node answered, and none with an error. */
    public boolean complete() {
        return missing.isEmpty() && errors.isEmpty();
    }

    /**
     * Decodes each answer with {@code decoder}; a node whose answer the decoder rejects (throws) moves to
     * {@code errors}, so one garbled answer does not cost the whole listing.
     */
    public <U> SurveyResult<U> map(Function<? super T, ? extends U> decoder) {
        Map<String, U> decoded = new TreeMap<>();
        Map<String, String> failed = new TreeMap<>(errors);
        answers.forEach((node, answer) -> {
            try {
                decoded.put(node, decoder.apply(answer));
            } catch (RuntimeException e) {
                failed.put(node, "undecodable answer: " + e.getMessage());
            }
        });
        return new SurveyResult<>(decoded, failed, missing);
    }
}
