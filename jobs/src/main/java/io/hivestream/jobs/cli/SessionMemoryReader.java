package io.hivestream.jobs.cli;

import io.hivestream.jobs.Pipeline;
import io.hivestream.operators.execute.SessionMemoryState;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.internal.Turn;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;

/**
 * Reads a session's memory, the turns the execute stage keeps for it, from a savepoint or retained
 * checkpoint of the job with Flink's State Processor API. The savepoint's keyed state is restored
 * into RocksDB (which reads canonical savepoints and RocksDB's native ones) and every key of the
 * execute stage's memory is visited to find the one session, so the cost grows with the state.
 */
final class SessionMemoryReader {
    private SessionMemoryReader() {}

    /**
     * The session's turns, oldest first; empty when the savepoint holds no memory of the session.
     *
     * @param path a savepoint or checkpoint folder (or its {@code _metadata} file), as a path or a
     *     URI with a scheme
     * @param ttl the job's {@code hivestream.memory.ttl}: turns written longer ago than that are
     *     not read
     * @throws IllegalArgumentException when there is no savepoint at {@code path} or it is not one
     *     of the job, with a sentence saying what to do
     */
    static Optional<List<Turn>> read(
            StreamExecutionEnvironment env,
            String path,
            String tenant,
            String sessionId,
            Duration ttl)
            throws Exception {
        String location = location(path);
        SavepointReader savepoint;
        try {
            savepoint = SavepointReader.read(env, location, new EmbeddedRocksDBStateBackend());
        } catch (FileNotFoundException missing) {
            // Flink's message names the file system's view of the path; the user gave this one.
            throw new IllegalArgumentException(
                    "no savepoint or checkpoint at "
                            + path
                            + " (no such folder, or no _metadata file in it); give the folder"
                            + " that stopping the job with a savepoint printed, or the chk-N"
                            + " folder of a retained checkpoint.");
        } catch (IOException unreadable) {
            throw new IllegalArgumentException(
                    "cannot read a savepoint at "
                            + path
                            + " ("
                            + unreadable.getMessage()
                            + "); give the folder of a savepoint or retained checkpoint of the"
                            + " Hivestream job.");
        }
        DataStream<List<Turn>> memories;
        try {
            memories =
                    savepoint
                            .readKeyedState(
                                    OperatorIdentifier.forUid(Pipeline.EXECUTE_UID),
                                    new MemoryOf(SessionKeys.session(tenant, sessionId), ttl),
                                    Types.STRING,
                                    Types.LIST(new AvroTypeInfo<>(Turn.class)))
                            .filter(turns -> !turns.isEmpty());
        } catch (IOException noExecuteStage) {
            throw new IllegalArgumentException(
                    "the savepoint at "
                            + path
                            + " holds no state of an operator with uid "
                            + Pipeline.EXECUTE_UID
                            + ", so it is not one of the Hivestream job; give a savepoint of the"
                            + " Hivestream job.");
        }
        List<List<Turn>> found = new ArrayList<>();
        try (CloseableIterator<List<Turn>> read =
                memories.executeAndCollect("hivestream sessions show " + sessionId)) {
            read.forEachRemaining(found::add);
        } catch (RuntimeException failed) {
            Throwable cause =
                    ExceptionUtils.findThrowable(failed, JobExecutionException.class)
                            .map(Throwable.class::cast)
                            .orElse(failed);
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new IllegalStateException(
                    "cannot read the execute stage's memory from the savepoint at "
                            + path
                            + " ("
                            + cause
                            + "); check that it was taken by this version of the Hivestream job.",
                    failed);
        }
        return found.stream().findFirst();
    }

    /** A path without a scheme ({@code file:}, {@code s3:}, ...) is made absolute from here. */
    static String location(String path) {
        return path.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")
                ? path
                : Paths.get(path).toAbsolutePath().normalize().toUri().toString();
    }

    /**
     * Emits the memory of one key as one list, and an empty list for every other key: the reading
     * source takes a key that emits nothing for a null record, which it cannot pass on.
     */
    static final class MemoryOf extends KeyedStateReaderFunction<String, List<Turn>> {
        private static final long serialVersionUID = 1L;

        private final String key;
        private final Duration ttl;
        private transient ListState<Turn> memory;

        MemoryOf(String key, Duration ttl) {
            this.key = key;
            this.ttl = ttl;
        }

        @Override
        public void open(OpenContext context) {
            memory = getRuntimeContext().getListState(SessionMemoryState.descriptor(ttl));
        }

        @Override
        public void readKey(String at, Context context, Collector<List<Turn>> out)
                throws Exception {
            List<Turn> turns = new ArrayList<>();
            Iterable<Turn> stored = at.equals(key) ? memory.get() : null;
            if (stored != null) {
                stored.forEach(turns::add);
            }
            out.collect(turns);
        }
    }
}
