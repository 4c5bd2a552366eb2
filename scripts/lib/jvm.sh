# shellcheck shell=bash disable=SC2034 # sourced: its variables are used by the scripts that source it
# Shared by scripts/kindling and scripts/cluster (sourced, not run): where things are, the
# build on first use, and the JVM options every Kindling JVM gets.

kindling_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kindling_jobs="$kindling_root/spark-jobs"
# Every jar the job needs, Spark's (scope provided) included; the build puts them there.
kindling_lib="$kindling_jobs/target/lib"
# Spark 3.5 on Java 17 needs these module opens (a java @argfile, the list's one copy).
kindling_module_opens="$kindling_jobs/conf/spark-module-opens.args"
# The pure-Java backend uses the Vector API, an incubator module in Java 17.
kindling_vector_opts=(--add-modules jdk.incubator.vector)
# A round's results (gradients, parameter copies) are large arrays, which G1 allocates as
# humongous objects; with the executor's long-lived buffers that keeps G1 starting concurrent
# marking cycles, whose threads took most of a core from the tasks: a CNN task on local[2]
# computed 50 examples in 61 ms under G1 and in 35 ms under the parallel collector, as fast as
# one machine (BENCHMARKS.md). Training is a throughput job: the parallel collector, for the
# launcher's JVM and the executors', unless the user's options choose a collector.
kindling_gc_default=-XX:+UseParallelGC

# kindling_gc_opts OPTIONS...: prints the default collector option unless OPTIONS choose one.
kindling_gc_opts() {
  [[ " $* " == *" -XX:+Use"*"GC "* ]] || echo "$kindling_gc_default"
}
kindling_stamp="$kindling_jobs/target/.launcher-build"

# One reactor build: core comes from this checkout (never from ~/.m2, where another checkout may
# have installed a different core), and the package phase fills target/lib.
kindling_build() {
  echo "kindling: building (first use or sources changed) ..." >&2
  (cd "$kindling_root" && mvn -B -q -DskipTests -pl spark-jobs -am package) >&2
  touch "$kindling_stamp"
}

# Builds when a source changed, or when classes were compiled since (e.g. by `mvn -Pspark4`,
# whose classes would not match the Spark 3.5 jars in target/lib).
kindling_build_if_stale() {
  local jobs=$kindling_jobs root=$kindling_root
  if [[ ! -f "$kindling_stamp" || ! -d "$jobs/target/classes" || ! -d "$kindling_lib" ]] \
      || [[ -n "$(find "$root/pom.xml" "$root/core/pom.xml" "$root/core/src/main" "$jobs/pom.xml" \
        "$jobs/src/main" "$jobs/conf" "$jobs/target/classes" -newer "$kindling_stamp" -print -quit)" ]]; then
    kindling_build
  fi
}

# The shaded application jar (Spark and Hadoop left out), for spark-submit.
kindling_app_jar() {
  local jar
  for jar in "$kindling_jobs"/target/kindling-spark-jobs-*-app.jar; do
    if [[ -f "$jar" ]]; then
      echo "$jar"
      return 0
    fi
  done
  echo "kindling: no application jar in $kindling_jobs/target (build with: mvn -pl spark-jobs -am package)" >&2
  return 1
}

# OpenBLAS's own detection can fall short of the CPU (an older OpenBLAS, a VM's CPU model), and a
# variable inherited from a shared image can hold it back: on an AVX-512 AMD EPYC, Haswell's AVX2
# kernels ran 1.5-1.7 times slower than SkylakeX's. Exports OPENBLAS_CORETYPE=SkylakeX where the
# CPU has AVX-512 and the variable is unset. A value already set is the user's and is kept; the
# JVM reports the kernels OpenBLAS actually chose, with advice where they are older than the CPU
# allows ("OpenBLAS: ... kernels" from train and evaluate, and of the executors on Spark).
kindling_openblas_coretype() {
  [[ -r /proc/cpuinfo ]] || return 0
  local flags avx512=1 f
  flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  for f in avx512f avx512bw avx512dq avx512vl avx512cd; do
    [[ " $flags " == *" $f "* ]] || avx512=0
  done
  [[ $avx512 == 1 ]] || return 0
  if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
}
