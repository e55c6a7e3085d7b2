package dev.neurolens.cli;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.WeightsDtype;
import picocli.CommandLine.Option;

/** The {@code --weights-dtype stored|float32} option of the commands that load a model. */
final class WeightsDtypeOption {
  @Option(names = "--weights-dtype", defaultValue = "${env:NEUROLENS_WEIGHTS_DTYPE:-stored}",
      description = "Precision of the weights in memory: 'stored' keeps F16/BF16 checkpoints in 16 bits "
          + "(computing in float32 one block at a time), 'float32' converts them at load (default: "
          + "${DEFAULT-VALUE}; environment NEUROLENS_WEIGHTS_DTYPE).")
  String weightsDtype = "stored";

  /** {@link Models#load(String, WeightsDtype)} with this option. */
  EncoderModel load(String spec) {
    return Models.load(spec, dtype());
  }

  WeightsDtype dtype() {
    return WeightsDtype.parse(weightsDtype, "--weights-dtype");
  }
}
