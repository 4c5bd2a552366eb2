/**
 * Collectives among the tasks of one Spark barrier stage (reduce-scatter and all-gather of a
 * float vector), behind {@link dev.kindling.spark.exchange.Exchange}: over Spark's own transport
 * (spark-network-common) with its authentication and encryption ({@link
 * dev.kindling.spark.exchange.Collective}: a small server per task receiving the others'
 * messages, and a client to each), or through the memory of the one JVM all tasks share on
 * {@code local[N]} ({@link dev.kindling.spark.exchange.SharedMemory}). Tasks on a cluster meet
 * through the driver's {@link dev.kindling.spark.exchange.Rendezvous}.
 */
package dev.kindling.spark.exchange;
