package dev.neurolens.analysis;

import dev.neurolens.activation.ActivationMatrix;
import dev.neurolens.activation.ActivationStore;
import dev.neurolens.activation.SentenceRep;
import dev.neurolens.activation.StoredToken;
import dev.neurolens.activation.TaskSpec;
import dev.neurolens.concept.ControlTasks;
import dev.neurolens.concept.ControlTasks.ControlTask;
import dev.neurolens.model.HookName;
import dev.neurolens.probe.LayerLayout;
import dev.neurolens.probe.ProbeTask;
import dev.neurolens.probe.Splits;
import dev.neurolens.util.NeuroLensException;
import dev.neurolens.util.SnippetSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One task of an activation store made ready for the probe stage: the N x (L * D) activation view
 * (layer-major), its layer layout, the task (and its control task, ALGORITHMS.md section 3), and
 * train/dev/test rows split by snippet (no snippet in two splits). Rows without a label are in no
 * split.
 *
 * <p>Usage: {@code StoreTask t = StoreTask.load(store, "lexical", 42, StoreTask.Control.FIT);}
 *
 * @param store the open store
 * @param hooks the hook points of the view, in layer order
 * @param x N x F activations (N tokens, or snippets for a snippet-level task)
 * @param layout L and D of x, with hook names
 * @param task the real task over the rows of x
 * @param control its control task over the same rows, or null (regression and snippet tasks)
 * @param splits train/dev/test rows
 * @param rowSnippet the snippet index of every row of x
 * @param texts the token text of every row (the snippet id for snippet-level tasks), read from the
 *     store when first asked for ({@link #tokenTexts()}) unless the split or the control task
 *     needed them already
 * @param labelled every row with a label (in any split or in none), ascending
 * @param split the rule the splits were made by, with its seed resolved
 */
public record StoreTask(
    ActivationStore store,
    List<HookName> hooks,
    ActivationMatrix x,
    LayerLayout layout,
    ProbeTask task,
    ProbeTask control,
    Splits splits,
    int[] rowSnippet,
    Texts texts,
    int[] labelled,
    SplitRule split) {

  /** The token text of every row (the snippet id for snippet-level tasks), read once from the open store. */
  public String[] tokenTexts() {
    return texts.get();
  }

  /** Row texts, read from the store on first use (reading 55k token lines costs ~0.3 s cold). */
  public static final class Texts {
    private final ActivationStore store;
    private final boolean snippetLevel;
    private final int rows;
    private String[] texts;

    Texts(ActivationStore store, boolean snippetLevel, int rows) {
      this.store = store;
      this.snippetLevel = snippetLevel;
      this.rows = rows;
    }

    /** The texts; the store must still be open the first time. */
    public synchronized String[] get() {
      if (texts == null) {
        texts = read();
      }
      return texts;
    }

    private String[] read() {
      String[] out = new String[rows];
      if (snippetLevel) {
        var snippets = store.snippets();
        for (int i = 0; i < rows; i++) {
          out[i] = snippets.get(i).id();
        }
        return out;
      }
      int step = 65536;
      for (int r = 0; r < rows; r += step) {
        List<StoredToken> t = store.tokens(r, Math.min(step, rows - r));
        for (int i = 0; i < t.size(); i++) {
          out[r + i] = t.get(i).text();
        }
      }
      return out;
    }
  }

  /** Share of the snippets in the dev split. */
  public static final double DEV = 0.1;
  /** Share of the snippets in the test split. */
  public static final double TEST = 0.1;

  /**
   * How the rows are split into train/dev/test.
   *
   * @param kind by snippet, or type-disjoint on top of that ({@link TypeDisjointSplit})
   * @param seed the split seed; null = the seed recorded in the store
   */
  public record SplitRule(Kind kind, Long seed) {
    /** The kinds of split. */
    public enum Kind {
      /** By snippet ({@link dev.neurolens.util.SnippetSplit}): no snippet in two parts. */
      SNIPPET,
      /** By snippet, and no closed-class word in both training and dev/test ({@link TypeDisjointSplit}). */
      TYPE_DISJOINT
    }

    public SplitRule {
      java.util.Objects.requireNonNull(kind, "kind");
    }

    /** By snippet with {@code seed}. */
    public static SplitRule snippet(long seed) {
      return new SplitRule(Kind.SNIPPET, seed);
    }

    /** Parses {@code snippet} or {@code type-disjoint}. */
    public static Kind parseKind(String text) {
      return switch (text) {
        case "snippet" -> Kind.SNIPPET;
        case "type-disjoint" -> Kind.TYPE_DISJOINT;
        default -> throw new NeuroLensException("--split: must be snippet or type-disjoint, found '" + text + "'");
      };
    }

    /** The name {@link #parseKind} reads. */
    public String kindName() {
      return kind == Kind.SNIPPET ? "snippet" : "type-disjoint";
    }
  }

  /** Whether a control task is built next to the real task. */
  public enum Control {
    /** No control task. */
    NONE,
    /** A control task fitted on the training rows (token-level classification tasks only). */
    FIT
  }

  /**
   * Loads {@code taskName} from {@code store} over its default hooks (every hook of the first
   * hook's width), split by snippet with {@code seed}.
   */
  public static StoreTask load(ActivationStore store, String taskName, long seed, Control control) {
    return load(store, taskName, SplitRule.snippet(seed), control);
  }

  /**
   * Loads {@code taskName} from {@code store} over its default hooks, split by {@code rule}; the
   * control task's word-to-label draw uses the split seed.
   */
  public static StoreTask load(ActivationStore store, String taskName, SplitRule rule, Control control) {
    java.util.Objects.requireNonNull(control, "control");
    long seed = rule.seed() != null ? rule.seed() : store.split().seed();
    SplitRule resolved = new SplitRule(rule.kind(), seed);
    TaskSpec spec =
        store.tasks().stream()
            .filter(t -> t.name().equals(taskName))
            .findFirst()
            .orElseThrow(
                () ->
                    new NeuroLensException(
                        store.dir() + ": no task '" + taskName + "' (tasks: "
                            + store.tasks().stream().map(TaskSpec::name).toList() + ")"));
    List<HookName> hooks = uniformHooks(store);
    int d = store.width(hooks.get(0));
    LayerLayout layout = new LayerLayout(hooks.size(), d, hooks.stream().map(HookName::toString).toList());
    boolean snippetLevel = spec.level() == TaskSpec.Level.SNIPPET;
    ActivationMatrix x = snippetLevel ? store.sentenceView(SentenceRep.MEAN, hooks, null) : store.view(hooks);
    int n = x.rows();
    int[] rowSnippet;
    Texts texts = new Texts(store, snippetLevel, n);
    if (snippetLevel) {
      rowSnippet = new int[n];
      for (int i = 0; i < n; i++) {
        rowSnippet[i] = i;
      }
    } else {
      rowSnippet = store.rowSnippets();
    }
    Splits all = bySnippet(store.splitParts(seed), rowSnippet);
    if (rule.kind() == SplitRule.Kind.TYPE_DISJOINT) {
      all = typeDisjoint(store, all, texts.get(), snippetLevel, seed);
    }
    if (spec.kind() == TaskSpec.Kind.NUMERIC) {
      float[] targets = store.targets(taskName).clone();
      boolean[] ok = new boolean[n];
      for (int i = 0; i < n; i++) {
        ok[i] = Float.isFinite(targets[i]);
        if (!ok[i]) {
          targets[i] = 0f;
        }
      }
      return new StoreTask(store, hooks, x, layout, ProbeTask.regression(taskName, targets), null,
          keep(all, ok, taskName), rowSnippet, texts, rows(ok), resolved);
    }
    int[] labels = store.labels(taskName).clone();
    List<String> names = store.labelNames(taskName);
    boolean[] ok = new boolean[n];
    for (int i = 0; i < n; i++) {
      ok[i] = labels[i] >= 0;
      if (!ok[i]) {
        labels[i] = 0;
      }
    }
    Splits splits = keep(all, ok, taskName);
    ProbeTask task = ProbeTask.classification(taskName, names, labels);
    ProbeTask controlTask = control == Control.FIT && !snippetLevel ? control(task, splits, texts.get(), seed) : null;
    return new StoreTask(store, hooks, x, layout, task, controlTask, splits, rowSnippet, texts, rows(ok), resolved);
  }

  private static int[] rows(boolean[] ok) {
    return java.util.stream.IntStream.range(0, ok.length).filter(i -> ok[i]).toArray();
  }

  /** Rows of each part, from the part of every snippet. */
  static Splits bySnippet(SnippetSplit.Part[] parts, int[] rowSnippet) {
    List<int[]> out = new ArrayList<>();
    for (SnippetSplit.Part p : SnippetSplit.Part.values()) {
      out.add(java.util.stream.IntStream.range(0, rowSnippet.length).filter(r -> parts[rowSnippet[r]] == p).toArray());
    }
    return new Splits(out.get(0), out.get(1), out.get(2));
  }

  private static Splits typeDisjoint(ActivationStore store, Splits all, String[] texts, boolean snippetLevel, long seed) {
    if (snippetLevel) {
      throw new NeuroLensException("--split type-disjoint: applies to token tasks, not to snippet tasks");
    }
    if (store.tasks().stream().noneMatch(t -> t.name().equals("lexical"))) {
      throw new NeuroLensException(store.dir() + ": --split type-disjoint needs the lexical task in the store "
          + "(it names the closed word classes); extract with --task lexical");
    }
    return TypeDisjointSplit.restrict(all, texts, store.labels("lexical"), store.labelNames("lexical"), seed);
  }

  /** Whether the rows are snippets (a sentence task) rather than tokens. */
  public boolean isSnippetLevel() {
    return store.tasks().stream().anyMatch(t -> t.name().equals(task.name()) && t.level() == TaskSpec.Level.SNIPPET);
  }

  /** The store's hooks that share the first hook's width (e.g. embed.out + every resid_post). */
  public static List<HookName> uniformHooks(ActivationStore store) {
    List<HookName> hooks = new ArrayList<>();
    int d = store.width(store.hooks().get(0));
    for (HookName h : store.hooks()) {
      if (store.width(h) == d) {
        hooks.add(h);
      }
    }
    return hooks;
  }

  /**
   * The control task: each token type gets one label drawn from the empirical training label
   * distribution, a function of (seed, type) only, shared by all splits.
   */
  static ProbeTask control(ProbeTask task, Splits splits, String[] texts, long seed) {
    double[] counts = new double[task.numClasses()];
    int[] labels = task.labels();
    for (int r : splits.train()) {
      counts[labels[r]]++;
    }
    ControlTask ct =
        ControlTasks.fromCounts(task.name(), task.labelNames(), counts, ControlTasks.Distribution.SAME, seed);
    int[] control = new int[texts.length];
    List<String> names = task.labelNames();
    for (int i = 0; i < texts.length; i++) {
      control[i] = names.indexOf(ct.labelOf(texts[i] == null ? "" : texts[i]));
    }
    return ProbeTask.classification(task.name() + ".control", names, control);
  }

  private static Splits keep(Splits s, boolean[] ok, String task) {
    int[] train = filter(s.train(), ok);
    int[] test = filter(s.test(), ok);
    if (train.length == 0 || test.length == 0) {
      throw new NeuroLensException("task " + task + ": no labelled rows in the train or test split");
    }
    return new Splits(train, filter(s.dev(), ok), test);
  }

  private static int[] filter(int[] rows, boolean[] ok) {
    return Arrays.stream(rows).filter(r -> ok[r]).toArray();
  }
}
