# shellcheck shell=bash
# scripts/bench's Spark sections (sourced, not run): the MLP on Spark against DL4J and MLlib
# on local[2] (run_spark) and on the standalone cluster (run_spark_cluster), and Kindling's
# round overhead against parameter count and partitions (run_rounds). Uses scripts/bench's variables (root, out, data, java_bin, bench, spark_lib,
# spark_opens, peer_cp, DL4J_ENV, the mode's settings) and its step function.

# shellcheck source=jvm.sh
source "$root/scripts/lib/jvm.sh"

# Kindling's two modes on Spark: "label|train options".
KINDLING_SPARK_VARIANTS=(
  "sync, batch 100, Adam 0.001|--mode sync"
  "local, 10 steps of batch 100, Adam 0.003|--mode local --local-steps 10 --lr 0.003"
)
MLP_PARAMETERS=79510 # 784-100-10

# kindling_cli ARGS...: `kindling ARGS` exactly as scripts/kindling runs it on an embedded Spark
# (without its build-if-stale step: scripts/bench has just built).
kindling_cli() {
  (
    kindling_openblas_coretype
    export SPARK_LOCAL_IP=127.0.0.1 OPENBLAS_NUM_THREADS=1
    exec "$java_bin" "${kindling_vector_opts[@]}" @"$spark_opens" -Xmx4g "$kindling_gc_default" \
      -Dlog4j2.configurationFile="$root/spark-jobs/conf/log4j2.properties" \
      -cp "$root/spark-jobs/target/classes:$spark_lib/*" dev.kindling.cli.Main "$@"
  )
}

# kindling_log RUN_DIR VARIANT MASTER RUN [PARAMETERS PARTITIONS]: the run's metrics into spark.jsonl.
kindling_log() {
  "${kindling_jvm[@]}" dev.kindling.bench.spark.KindlingRunLog --from "$1" --variant "$2" --master "$3" \
    --run "$4" --parameters "${5:-$MLP_PARAMETERS}" --partitions "${6:-2}" --out "${7:-$out/spark.jsonl}"
}

# peer JVM for DL4J and MLlib on local[2]: DL4J's native pools at one thread per task.
peer_local() {
  env "${DL4J_ENV[@]}" SPARK_LOCAL_IP=127.0.0.1 "$java_bin" "${kindling_vector_opts[@]}" @"$spark_opens" -Xmx4g \
    -Dlog4j2.configurationFile="$root/spark-jobs/conf/log4j2.properties" -cp "$peer_cp" "$@"
}

spark_one_master() {
  local master=$1 label=$2 run=$3 v name opts dir
  local SPARK_EPOCHS=$SPARK_EPOCHS SPARK_RUNS=$SPARK_RUNS
  if [[ $master == cluster ]]; then SPARK_EPOCHS=$CLUSTER_EPOCHS SPARK_RUNS=$CLUSTER_RUNS; fi
  for v in "${KINDLING_SPARK_VARIANTS[@]}"; do
    name=${v%%|*}; opts=${v#*|}
    dir="$out/spark/kindling-${label// /-}-${opts// /}-run$run"
    dir=${dir//\[/}; dir=${dir//\]/}
    if [[ $master == cluster ]]; then
      # shellcheck disable=SC2086 # opts holds several options
      soft_step "spark: Kindling $name on $label, run $run of $SPARK_RUNS" "$out/logs/$(basename "$dir").log" \
        "$root/scripts/cluster" submit --dir "$cluster_dir" --no-build --conf spark.ui.enabled=false \
        train --data "$data" --out "$dir" --epochs "$SPARK_EPOCHS" --seed "$run" --partitions 2 $opts || continue
    else
      # shellcheck disable=SC2086
      step "spark: Kindling $name on $label, run $run of $SPARK_RUNS" "$out/logs/$(basename "$dir").log" \
        kindling_cli train --data "$data" --out "$dir" --epochs "$SPARK_EPOCHS" --seed "$run" \
        --master "$master" --partitions 2 $opts
    fi
    kindling_log "$dir" "$name" "$label" "$run"
  done
  if [[ $master == cluster ]]; then
    soft_step "spark: DL4J ParameterAveragingTrainingMaster on $label, run $run of $SPARK_RUNS" \
      "$out/logs/dl4j-spark-cluster-run$run.log" peer_submit dev.kindling.bench.spark.Dl4jSparkRun \
      --epochs "$SPARK_EPOCHS" --seed "$run" --run "$run" --data "$data" --out "$out/spark.jsonl" \
      --master-label "$label" --default-fs "$hdfs_uri" --export-dir "$hdfs_uri/dl4j-export-run$run" || true
    soft_step "spark: MLlib MultilayerPerceptronClassifier on $label, run $run of $SPARK_RUNS" \
      "$out/logs/mllib-cluster-run$run.log" peer_submit dev.kindling.bench.spark.MllibRun \
      --iterations "$CLUSTER_MLLIB_ITERATIONS" --seed "$run" --run "$run" --data "$data" --out "$out/spark.jsonl" \
      --master-label "$label" || true
  else
    step "spark: DL4J ParameterAveragingTrainingMaster on $label, run $run of $SPARK_RUNS" \
      "$out/logs/dl4j-spark-local-run$run.log" peer_local dev.kindling.bench.spark.Dl4jSparkRun \
      --master "$master" --epochs "$SPARK_EPOCHS" --seed "$run" --run "$run" --data "$data" --out "$out/spark.jsonl"
    step "spark: MLlib MultilayerPerceptronClassifier on $label, run $run of $SPARK_RUNS" \
      "$out/logs/mllib-local-run$run.log" peer_local dev.kindling.bench.spark.MllibRun \
      --master "$master" --iterations "$MLLIB_ITERATIONS" --seed "$run" --run "$run" --data "$data" \
      --out "$out/spark.jsonl"
  fi
}

# ------------------------------------------------------------------ the standalone cluster
cluster_dir=$out/cluster

# soft_step: step, but a failure is logged (loads.tsv, the step's log) and the run goes on, so
# that one failing peer on the cluster does not cost the rest of the results.
soft_step() {
  (step "$@") || { log "going on without: $1"; return 1; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cluster_start() {
  step "spark: standalone cluster, 2 workers of 1 core" "$out/logs/cluster-start.log" \
    "$root/scripts/cluster" start --dir "$cluster_dir" --no-build --workers 2 --worker-cores 1 \
    --worker-memory 2g --master-port "$(free_port)" --master-ui-port 0 --worker-ui-port 0 --timeout 120
  trap cluster_stop EXIT
  hdfs_start
}

cluster_stop() {
  "$root/scripts/cluster" stop --dir "$cluster_dir" >>"$out/logs/cluster-stop.log" 2>&1 || true
  hdfs_stop
}

# A one-machine HDFS beside the cluster, for DL4J's exported batches (SharedHdfs): its pid in
# hdfs_pid, its URI in hdfs_uri.
hdfs_pid=
hdfs_uri=
hdfs_start() {
  local i
  rm -f "$out/hdfs.uri"
  "${kindling_jvm[@]}" dev.kindling.bench.spark.SharedHdfs --dir "$out/hdfs" --uri-file "$out/hdfs.uri" \
    >"$out/logs/hdfs.log" 2>&1 &
  hdfs_pid=$!
  for ((i = 0; i < 240; i++)); do
    if [[ -f "$out/hdfs.uri" ]]; then
      hdfs_uri=$(cat "$out/hdfs.uri")
      log "HDFS for DL4J's export: $hdfs_uri"
      return 0
    fi
    kill -0 "$hdfs_pid" 2>/dev/null || break
    sleep 0.5
  done
  log "FAILED: the HDFS for DL4J did not start; last lines of $out/logs/hdfs.log:"
  tail -n 20 "$out/logs/hdfs.log" >&2
  exit 1
}

hdfs_stop() {
  if [[ -n $hdfs_pid ]]; then
    kill "$hdfs_pid" 2>/dev/null || true
    wait "$hdfs_pid" 2>/dev/null || true
    hdfs_pid=
  fi
}

# DL4J's and MLlib's jars but those Spark already has (the same file), for --jars.
peer_jars() {
  local jar
  {
    ls "$bench"/dl4j-natives/*.jar
    echo "$bench"/kindling-bench-*.jar
    tr ':' '\n' <"$bench/classpath.txt" | grep -vE '/org/bytedeco/(javacpp|openblas)/'
  } | while read -r jar; do
    if [[ ! -e "$spark_lib/$(basename "$jar")" || $(basename "$jar") == kindling-* ]]; then echo "$jar"; fi
  done | paste -sd, -
}

# peer_submit CLASS ARGS...: CLASS from the bench jar through SparkSubmit to the cluster
# (client mode: the driver runs here), as scripts/cluster submits Kindling: Spark's jars from the
# cluster's stand-in installation, its secret from its spark-defaults.conf. The application's
# jars go first for its own classes, on the driver and the executors (user class path first:
# DL4J's JavaCPP 1.5.7 over core's, its older commons-lang3 and others over Spark's), while
# Spark's classes keep Spark's.
peer_submit() {
  local cls=$1 url jars
  shift
  url=$(sed -n 's/^MASTER_URL=//p' "$cluster_dir/cluster.env")
  jars=$(peer_jars)
  (
    export SPARK_HOME="$cluster_dir/spark-home" SPARK_CONF_DIR="$cluster_dir/conf" SPARK_LOCAL_IP=127.0.0.1
    SPARK_SCALA_VERSION=$(basename "$cluster_dir"/spark-home/jars/spark-core_*.jar | sed -E 's/spark-core_([0-9.]+)-.*/\1/')
    export SPARK_SCALA_VERSION
    exec env "${DL4J_ENV[@]}" "$java_bin" "${kindling_vector_opts[@]}" @"$spark_opens" -Xmx4g \
      -Dlog4j2.configurationFile="$root/spark-jobs/conf/log4j2.properties" \
      -cp "$cluster_dir/spark-home/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "$url" --deploy-mode client --class "$cls" --executor-memory 2g \
      --conf spark.driver.userClassPathFirst=true --conf spark.executor.userClassPathFirst=true \
      --conf "spark.executor.extraJavaOptions=${kindling_vector_opts[*]}" \
      --conf spark.executorEnv.OMP_NUM_THREADS=1 --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 \
      --conf spark.ui.enabled=false --jars "$jars" "$(echo "$bench"/kindling-bench-*.jar)" \
      --master "$url" "$@"
  )
}

run_spark() {
  local run
  mkdir -p "$out/spark"
  for run in $(seq 1 "$SPARK_RUNS"); do
    spark_one_master "local[2]" "local[2]" "$run"
  done
}

# The same on the standalone cluster; a peer that fails there is logged and the run goes on.
run_spark_cluster() {
  local run
  mkdir -p "$out/spark"
  cluster_start
  for run in $(seq 1 "$CLUSTER_RUNS"); do
    spark_one_master cluster "standalone, 2 workers" "$run"
  done
  cluster_stop
  trap - EXIT
}

# ------------------------------------------------------------------ round overhead
# MLPs 784-H-10 with about 10K, 100K, 1M and 10M parameters (H = 12, 126, 1270, 12700).
declare -A ROUND_ARCH=([10k]=784-12-10 [100k]=784-126-10 [1m]=784-1270-10 [10m]=784-12700-10)

mlp_parameters() {
  local h=${1#784-}
  h=${h%-10}
  echo $((784 * h + h + h * 10 + 10))
}

run_rounds() {
  local size p arch dir
  mkdir -p "$out/rounds"
  for size in "${ROUND_SIZES[@]}"; do
    for p in "${ROUND_PARTITIONS[@]}"; do
      arch=${ROUND_ARCH[$size]}
      dir="$out/rounds/mlp-$size-p$p"
      # Sync rounds of batch 100 on the first ROUND_LIMIT examples: ROUND_LIMIT/100 rounds.
      step "rounds: $arch ($size parameters), $p partitions, local[2]" "$out/logs/rounds-$size-p$p.log" \
        kindling_cli train --data "$data" --out "$dir" --epochs 1 --limit "$ROUND_LIMIT" --arch "$arch" \
        --master "local[2]" --partitions "$p" --mode sync
      kindling_log "$dir" "sync, $arch" "local[2]" 1 "$(mlp_parameters "$arch")" "$p" "$out/rounds.jsonl"
    done
  done
  # The one-machine CNN (bench's Workload.CNN), for its compute per example on an executor.
  dir="$out/rounds/cnn-p2"
  step "rounds: CNN conv 5x5x20 (289,630 parameters), 2 partitions, local[2]" "$out/logs/rounds-cnn-p2.log" \
    kindling_cli train --data "$data" --out "$dir" --epochs 1 --limit "$ROUND_LIMIT" \
    --config "$root/bench/src/main/resources/dev/kindling/bench/cnn.yaml" --master "local[2]" --partitions 2 --mode sync
  kindling_log "$dir" "sync, cnn" "local[2]" 1 289630 2 "$out/rounds.jsonl"
}
