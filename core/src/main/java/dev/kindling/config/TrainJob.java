package dev.kindling.config;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kindling.UsageException;
import dev.kindling.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training job as {@code kindling train} hands it to a trainer: where it reads and writes,
 * the settings as given (recorded in config.json) and as resolved, and how the run starts.
 *
 * @param data      the data location as given (a local path or a Hadoop URI)
 * @param out       the output location as given
 * @param config    the settings as given (file and flags merged), recorded in config.json ({@link #record})
 * @param settings  the same settings resolved: defaults filled, values validated
 * @param resume    continue the run in {@code out} from its last checkpoint
 * @param overwrite replace an earlier run's results in {@code out}
 * @param limit     train on the first this many examples only; null for all
 */
public record TrainJob(String data, String out, JobConfig config, TrainSettings settings, boolean resume,
                       boolean overwrite, Integer limit) {
    public TrainJob {
        if (limit != null && limit <= 0) {
            throw new UsageException("limit: " + limit + " must be > 0");
        }
    }

    /**
     * What the run's config.json records: the data and the limit, which are flags only (no config
     * key) but settings of the run all the same, then the settings as given.
     */
    public Map<String, Object> record() {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("data", data);
        record.put("limit", limit);
        record.putAll(Json.JSON.convertValue(config, new TypeReference<LinkedHashMap<String, Object>>() { }));
        return record;
    }
}
