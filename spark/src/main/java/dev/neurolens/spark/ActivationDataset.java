package dev.neurolens.spark;

import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A Parquet activation dataset written by {@link ExtractJob} (or {@code export}), read back with
 * Spark: its description and its tokens and snippets tables as DataFrames.
 *
 * <p>Usage: {@code ActivationDataset ds = ActivationDataset.open(spark, "hdfs:///acts"); ds.tokens().count()}
 */
public final class ActivationDataset {
  private final SparkSession spark;
  private final String path;
  private final DatasetInfo info;

  private ActivationDataset(SparkSession spark, String path, DatasetInfo info) {
    this.spark = spark;
    this.path = path;
    this.info = info;
  }

  /** Opens the dataset at {@code path}; a one-line error when it is not one. */
  public static ActivationDataset open(SparkSession spark, String path) {
    Path file = new Path(path, "_neurolens.json");
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(file)) {
        throw new NeuroLensException(path + ": not a NeuroLens activation dataset (no _neurolens.json;"
            + " run extract or store export first, or finish an interrupted extract)");
      }
      try (var in = fs.open(file)) {
        return new ActivationDataset(spark, path,
            DatasetInfo.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString()));
      }
    } catch (IOException e) {
      throw new NeuroLensException(file + ": unreadable (" + NeuroLensException.reason(e) + ")", e);
    }
  }

  /** The description. */
  public DatasetInfo info() {
    return info;
  }

  /** The tokens table of every partition. */
  public Dataset<Row> tokens() {
    return spark.read().parquet(path + "/part-*/tokens.parquet");
  }

  /** The snippets table of every partition. */
  public Dataset<Row> snippets() {
    return spark.read().parquet(path + "/part-*/snippets.parquet");
  }

  /** Hook {@code hook}'s column as array&lt;float&gt; whatever the dtype (float16 decoded). */
  Column floats(String prefix, int hook) {
    Column c = functions.col(prefix + info.column(hook));
    if (!info.half()) {
      return c;
    }
    UDF1<byte[], float[]> decode = ParquetTables::unpackHalf;
    return functions.udf(decode, DataTypes.createArrayType(DataTypes.FloatType, false)).apply(c);
  }

  /** The snippet ids in corpus order (the order the split is drawn over). */
  List<String> snippetIds() {
    return snippets().orderBy("snippet_index").select("snippet_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  /** The floats of a hook cell of a collected row: a list of float or packed halves. */
  static float[] vector(Row row, int field, boolean half) {
    if (half) {
      return ParquetTables.unpackHalf((byte[]) row.get(field));
    }
    List<Object> l = row.getList(field);
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Float) l.get(i);
    }
    return out;
  }
}
