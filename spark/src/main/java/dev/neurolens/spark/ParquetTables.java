package dev.neurolens.spark;

import dev.neurolens.activation.Half;
import dev.neurolens.activation.TaskSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The two Parquet tables of an activation dataset and their writer, on parquet-hadoop alone (no
 * Spark), so that executors write each partition's files themselves and the store exchange reads
 * the same layout.
 *
 * <p>Tokens table, one row per stored token: {@code snippet_id}, {@code snippet_index} (corpus
 * order), {@code token_index}, {@code token}, {@code start}, {@code end}, {@code flags}, one
 * optional string column {@code label_<task>} per token task, and one column per hook holding the
 * token's W_h activations. Snippets table, one row per snippet: {@code snippet_id}, {@code
 * snippet_index}, {@code source}, {@code tokens}, {@code label_<task>} per snippet task, and per
 * hook {@code first_<hook>} and {@code mean_<hook>}. A hook column is a Parquet LIST of float for
 * float32, or a binary of W_h little-endian halves for float16 ({@link DatasetInfo#dtype()}).
 */
final class ParquetTables {
  /** Fixed leading columns of the tokens table. */
  static final List<String> TOKEN_COLUMNS =
      List.of("snippet_id", "snippet_index", "token_index", "token", "start", "end", "flags");
  /** Fixed leading columns of the snippets table. */
  static final List<String> SNIPPET_COLUMNS = List.of("snippet_id", "snippet_index", "source", "tokens");

  private ParquetTables() {}

  static MessageType tokensSchema(DatasetInfo info) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.addField(string("snippet_id", Type.Repetition.REQUIRED));
    b.addField(int32("snippet_index"));
    b.addField(int32("token_index"));
    b.addField(string("token", Type.Repetition.REQUIRED));
    b.addField(int32("start"));
    b.addField(int32("end"));
    b.addField(int32("flags"));
    for (TaskSpec t : info.tasksAt(TaskSpec.Level.TOKEN)) {
      b.addField(string("label_" + t.name(), Type.Repetition.OPTIONAL));
    }
    for (int h = 0; h < info.hooks().size(); h++) {
      b.addField(vector(info.column(h), info.half()));
    }
    return b.named("neurolens_tokens");
  }

  static MessageType snippetsSchema(DatasetInfo info) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.addField(string("snippet_id", Type.Repetition.REQUIRED));
    b.addField(int32("snippet_index"));
    b.addField(string("source", Type.Repetition.REQUIRED));
    b.addField(int32("tokens"));
    for (TaskSpec t : info.tasksAt(TaskSpec.Level.SNIPPET)) {
      b.addField(string("label_" + t.name(), Type.Repetition.OPTIONAL));
    }
    for (int h = 0; h < info.hooks().size(); h++) {
      b.addField(vector("first_" + info.column(h), info.half()));
      b.addField(vector("mean_" + info.column(h), info.half()));
    }
    return b.named("neurolens_snippets");
  }

  private static Type string(String name, Type.Repetition rep) {
    return Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
  }

  private static Type int32(String name) {
    return Types.required(PrimitiveTypeName.INT32).named(name);
  }

  private static Type vector(String name, boolean half) {
    if (half) {
      return Types.required(PrimitiveTypeName.BINARY).named(name);
    }
    return Types.requiredList().requiredElement(PrimitiveTypeName.FLOAT).named(name);
  }

  /** W little-endian halves of {@code v[from, from + w)}. */
  static byte[] packHalf(float[] v, int from, int w) {
    byte[] out = new byte[2 * w];
    for (int i = 0; i < w; i++) {
      short s = Half.fromFloat(v[from + i]);
      out[2 * i] = (byte) s;
      out[2 * i + 1] = (byte) (s >>> 8);
    }
    return out;
  }

  /** The floats of {@link #packHalf}'s bytes. */
  static float[] unpackHalf(byte[] b) {
    float[] out = new float[b.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Half.toFloat((short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8)));
    }
    return out;
  }

  /**
   * A row: one value per top-level field in schema order: {@code String} (null for an absent
   * optional label), {@code Integer}, or {@link Slice} for a hook column.
   */
  record Slice(float[] data, int from, int width) {}

  /** Opens a writer of {@code schema} rows at {@code file}, with {@code info} in the footer. */
  static ParquetWriter<Object[]> open(Path file, MessageType schema, DatasetInfo info, Configuration conf)
      throws IOException {
    return new Builder(file, schema, info).withConf(conf).withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE).build();
  }

  private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
    private final MessageType schema;
    private final DatasetInfo info;

    Builder(Path file, MessageType schema, DatasetInfo info) {
      super(file);
      this.schema = schema;
      this.info = info;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
      return new RowWrite(schema, info);
    }
  }

  /** Writes Object[] rows through the record consumer (no per-float objects). */
  private static final class RowWrite extends WriteSupport<Object[]> {
    private final MessageType schema;
    private final DatasetInfo info;
    private RecordConsumer out;

    RowWrite(MessageType schema, DatasetInfo info) {
      this.schema = schema;
      this.info = info;
    }

    @Override
    public WriteContext init(Configuration conf) {
      Map<String, String> meta = new HashMap<>();
      meta.put(DatasetInfo.KEY, info.toJson());
      return new WriteContext(schema, meta);
    }

    @Override
    public void prepareForWrite(RecordConsumer consumer) {
      this.out = consumer;
    }

    @Override
    public void write(Object[] row) {
      out.startMessage();
      List<Type> fields = schema.getFields();
      for (int i = 0; i < fields.size(); i++) {
        Object v = row[i];
        if (v == null) {
          continue;
        }
        String name = fields.get(i).getName();
        out.startField(name, i);
        if (v instanceof String s) {
          out.addBinary(Binary.fromString(s));
        } else if (v instanceof Integer n) {
          out.addInteger(n);
        } else if (v instanceof Slice s && info.half()) {
          out.addBinary(Binary.fromConstantByteArray(packHalf(s.data(), s.from(), s.width())));
        } else if (v instanceof Slice s) {
          writeList(s);
        } else {
          throw new IllegalArgumentException("column " + name + ": unsupported value " + v.getClass());
        }
        out.endField(name, i);
      }
      out.endMessage();
    }

    /** The three-level LIST: group { repeated group list { required float element } }. */
    private void writeList(Slice s) {
      out.startGroup();
      if (s.width() > 0) {
        out.startField("list", 0);
        for (int j = 0; j < s.width(); j++) {
          out.startGroup();
          out.startField("element", 0);
          out.addFloat(s.data()[s.from() + j]);
          out.endField("element", 0);
          out.endGroup();
        }
        out.endField("list", 0);
      }
      out.endGroup();
    }
  }

  /** The token-task label columns, in task order. */
  static List<String> labelColumns(DatasetInfo info, TaskSpec.Level level) {
    List<String> out = new ArrayList<>();
    for (TaskSpec t : info.tasksAt(level)) {
      out.add("label_" + t.name());
    }
    return out;
  }
}
