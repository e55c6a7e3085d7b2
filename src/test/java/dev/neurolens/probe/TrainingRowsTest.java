package dev.neurolens.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.DenseActivations;
import dev.neurolens.util.NeuroLensException;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The placed training rows, filled by several threads, against rows read one by one. */
class TrainingRowsTest {
  private static final int F = 8192; // Rows.chunkRows(8192) = 512 rows: a few chunks per fill
  private static final int N = 2000;

  private static float[] values(Random r) {
    float[] v = new float[N * F];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static int[] trainRows() {
    return IntStream.range(0, N).filter(i -> i % 7 != 3).toArray(); // not every row
  }

  private static void assertPlacedRowsEqualTheMatrix(ActivationMatrix x, DataType expected) {
    assertTrue(Rows.chunkRows(F) * 3 < trainRows().length, "several chunks");
    ProbeOptions o = ProbeOptions.builder().optSeed(5).build();
    try (TrainingRows d = TrainingRows.load(x, trainRows(), o)) {
      assertEquals(expected, d.all.getDataType());
      NDArray all = d.all.toType(DataType.FLOAT32, false);
      float[] placed = all.toFloatArray();
      assertEquals(trainRows().length, d.placed.length);
      float[] row = new float[F];
      for (int i = 0; i < d.placed.length; i++) {
        x.read(d.placed[i], 1, row);
        assertArrayEquals(row, java.util.Arrays.copyOfRange(placed, i * F, (i + 1) * F), "placed row " + i);
      }
      assertArrayEquals(IntStream.of(trainRows()).sorted().toArray(), IntStream.of(d.placed).sorted().toArray());
    }
  }

  @Test
  void load_float32_placedRowsAreTheMatrixRowsInThePlacedOrder() {
    assertPlacedRowsEqualTheMatrix(new DenseActivations(values(new Random(1)), N, F), DataType.FLOAT32);
  }

  @Test
  void load_float16_placedRowsAreTheStoredHalves() {
    assertPlacedRowsEqualTheMatrix(HalfMatrix.of(values(new Random(2)), N, F), DataType.FLOAT16);
  }

  @Test
  void load_nonFiniteInSeveralChunks_reportsTheLowestRow() {
    float[] v = values(new Random(3));
    int[] train = trainRows();
    int early = train[600]; // second chunk of the sorted rows
    int late = train[train.length - 5]; // last chunk
    v[late * F + 11] = Float.NaN;
    v[early * F + 7] = Float.POSITIVE_INFINITY;
    for (ActivationMatrix x : new ActivationMatrix[] {new DenseActivations(v, N, F), HalfMatrix.of(v, N, F)}) {
      for (int run = 0; run < 5; run++) { // the threads race; the answer must not
        NeuroLensException e = assertThrows(NeuroLensException.class,
            () -> TrainingRows.load(x, train, ProbeOptions.builder().build()).close());
        assertTrue(e.getMessage().startsWith("activations: row " + early + ", feature 7 is Infinity"), e.getMessage());
      }
    }
  }
}
