package dev.herald.core.cluster;

import dev.herald.core.time.Scheduler;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.SurveyReply;
import dev.herald.protocol.control.ControlMessage.SurveyRequest;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Surveys over any {@link Controller}: both sides of the request/answer exchange, built once on the two send
 * primitives. A survey expects an answer from a fixed set of nodes (the requester's own included, answered by
 * its local handler without a round trip); it completes as soon as all of them answered, or at its timeout with
 * the silent ones listed as missing. Answers from nodes outside the set (a node that joined since) are kept but
 * not waited for; late answers are dropped.
 *
 * <p>Threading: a survey completes on the thread of its last answer (a controller thread) or of its timeout (the
 * scheduler's), so dependents of the returned stage must not block there and should hop to their own executor
 * for heavy work. Each survey's state is guarded by its own lock, held only to record an answer.
 */
final class Surveys {
    private final String selfId;
    private final Scheduler scheduler;
    private final Function<ControlMessage, CompletionStage<Void>> toAll;
    private final BiFunction<String, ControlMessage, CompletionStage<Void>> toOne;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    Surveys(String selfId, Scheduler scheduler, Function<ControlMessage, CompletionStage<Void>> toAll,
            BiFunction<String, ControlMessage, CompletionStage<Void>> toOne) {
        this.selfId = selfId;
        this.scheduler = scheduler;
        this.toAll = toAll;
        this.toOne = toOne;
    }

    /**
     * Asks {@code expected} (which may hold this node); {@code target} null broadcasts the request, else it goes to
     * that one node only.
     */
    CompletionStage<SurveyResult<byte[]>> start(Set<String> expected, String target, String op, byte[] payload,
                                                Duration timeout, ControlHandler local) {
        long id = ids.incrementAndGet();
        SurveyRequest request = new SurveyRequest(selfId, id, op, payload);
        Pending survey = new Pending(expected);
        pending.put(id, survey);
        // The timeout is armed before anything is asked, so an answer arriving at once can already cancel it.
        survey.timeout = scheduler.schedule(() -> finish(id, survey), timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (expected.contains(selfId)) {
            answerLocally(request, local).whenComplete((reply, e) -> record(reply));
        }
        if (!expected.equals(Set.of(selfId))) {
            CompletionStage<Void> sent = target == null ? toAll.apply(request) : toOne.apply(target, request);
            // A request the engine could not hand on will never be answered: finish now rather than wait.
            sent.whenComplete((v, e) -> {
                if (e != null) {
                    finish(id, survey);
                }
            });
        }
        if (expected.isEmpty()) {
            finish(id, survey);
        }
        return survey.future;
    }

    /** Answers another node's survey with the local handler's answer, sent back to the requester. */
    void answer(SurveyRequest request, ControlHandler local) {
        answerLocally(request, local).thenAccept(reply -> toOne.apply(request.sender(), reply));
    }

    /** Records an answer to one of this node's surveys. */
    void record(SurveyReply reply) {
        Pending survey = pending.get(reply.id());
        if (survey != null && survey.add(reply)) {
            finish(reply.id(), survey);
        }
    }

    /** Ends every survey now with what it has, e.g. on shutdown, when no timeout may fire any more. */
    void finishAll() {
        pending.forEach(this::finish);
    }

    /** How many surveys are waiting; for tests and metrics. */
    int pendingCount() {
        return pending.size();
    }

    private CompletionStage<SurveyReply> answerLocally(SurveyRequest request, ControlHandler local) {
        CompletionStage<byte[]> answer;
        try {
            answer = local.answer(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((bytes, e) -> e == null
                ? SurveyReply.answer(selfId, request.id(), bytes)
                : SurveyReply.failure(selfId, request.id(), describe(e)));
    }

    /** Removing the entry is what makes a survey finish exactly once, whichever of answer or timeout comes first. */
    private void finish(long id, Pending survey) {
        if (pending.remove(id, survey)) {
            Scheduler.Cancellable timeout = survey.timeout;
            if (timeout != null) {
                timeout.cancel();
            }
            survey.future.complete(survey.result());
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** One survey in flight. */
    private static final class Pending {
        final CompletableFuture<SurveyResult<byte[]>> future = new CompletableFuture<>();
        final Set<String> waiting;
        final Map<String, byte[]> answers = new HashMap<>();
        final Map<String, String> errors = new HashMap<>();
        volatile Scheduler.Cancellable timeout;

        Pending(Set<String> expected) {
            this.waiting = new HashSet<>(expected);
        }

        /** @return true when this answer was the last one awaited */
        synchronized boolean add(SurveyReply reply) {
            if (answers.containsKey(reply.sender()) || errors.containsKey(reply.sender())) {
                return false;
            }
            if (reply.failed()) {
                errors.put(reply.sender(), reply.error());
            } else {
                answers.put(reply.sender(), reply.payload());
            }
            return waiting.remove(reply.sender()) && waiting.isEmpty();
        }

        synchronized SurveyResult<byte[]> result() {
            return new SurveyResult<>(answers, errors, waiting.stream().toList());
        }
    }
}
