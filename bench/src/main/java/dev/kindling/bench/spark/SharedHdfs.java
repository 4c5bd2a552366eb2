package dev.kindling.bench.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A one-machine HDFS (a name node and one data node on 127.0.0.1) that the standalone cluster's
 * executors and the driver share: DL4J's {@code ParameterAveragingTrainingMaster} exports its
 * training batches there, since its {@code Export} approach refuses a local default file system
 * whenever Spark's master is not local. Runs until the process is ended; writes its
 * {@code hdfs://} URI to {@code --uri-file} once it is up.
 *
 * <p>Usage: {@code SharedHdfs --dir DIR --uri-file FILE}
 */
public final class SharedHdfs {
    private SharedHdfs() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        File base = new File(a.get("dir"));
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cluster.shutdown(true)));
        Path uriFile = Path.of(a.get("uri-file"));
        Path tmp = uriFile.resolveSibling(uriFile.getFileName() + ".tmp");
        Files.writeString(tmp, cluster.getFileSystem().getUri() + "\n");
        Files.move(tmp, uriFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("hdfs: " + cluster.getFileSystem().getUri());
        Thread.currentThread().join();
    }
}
