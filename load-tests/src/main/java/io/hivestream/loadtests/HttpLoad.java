package io.hivestream.loadtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop HTTP load driver: {@code connections} callers, each posting the same body as soon
 * as its previous call answered, over HTTP/1.1 keep-alive connections of one JDK client, until
 * {@code calls} calls have answered.
 */
public final class HttpLoad {
    private HttpLoad() {}

    /**
     * What one drive measured.
     *
     * @param failures calls that failed or answered other than 2xx
     * @param firstFailure what the first failure was; null when none
     */
    public record Outcome(long calls, long failures, double seconds, String firstFailure) {
        public double callsPerSecond() {
            return calls / seconds;
        }
    }

    /** Drives {@code calls} POSTs of {@code body} to {@code uri} with these headers. */
    public static Outcome drive(
            URI uri,
            Map<String, String> headers,
            String body,
            int connections,
            long calls,
            Duration timeout)
            throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .executor(executor)
                        .build();
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        AtomicLong started = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(connections);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < connections; i++) {
                new Caller(client, request, calls, started, answered, failed, firstFailure, done)
                        .next();
            }
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "only "
                                + answered.get()
                                + " of "
                                + calls
                                + " calls to "
                                + uri
                                + " answered within "
                                + timeout);
            }
            return new Outcome(
                    answered.get(),
                    failed.get(),
                    (System.nanoTime() - start) / 1e9,
                    firstFailure.get());
        } finally {
            executor.shutdownNow();
        }
    }

    private record Caller(
            HttpClient client,
            HttpRequest request,
            long calls,
            AtomicLong started,
            AtomicLong answered,
            AtomicLong failed,
            AtomicReference<String> firstFailure,
            CountDownLatch done) {

        void next() {
            if (started.incrementAndGet() > calls) {
                done.countDown();
                return;
            }
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete(
                            (response, error) -> {
                                answered.incrementAndGet();
                                if (error != null) {
                                    fail(error.toString());
                                } else if (response.statusCode() / 100 != 2) {
                                    fail(
                                            "HTTP "
                                                    + response.statusCode()
                                                    + ": "
                                                    + response.body()
                                                            .substring(
                                                                    0,
                                                                    Math.min(
                                                                            200,
                                                                            response.body()
                                                                                    .length())));
                                }
                                next();
                            });
        }

        private void fail(String what) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, what);
        }
    }
}
