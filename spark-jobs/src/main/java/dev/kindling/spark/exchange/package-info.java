/**
 * Collectives among the tasks of one Spark barrier stage (reduce-scatter and all-gather of a
 * float vector), over Spark's own transport (spark-network-common) with its authentication and
 * encryption. Each task runs a {@link dev.kindling.spark.exchange.Collective}: a small server that
 * receives the other tasks' messages, and one client to each of them.
 */
package dev.kindling.spark.exchange;
