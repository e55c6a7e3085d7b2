package dev.neurolens.report;

import java.awt.AWTError;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.ViewBox;

/**
 * Renders line charts, bar charts and heat-maps to inline SVG strings: JFreeChart draws headless
 * (no window, {@code java.awt.headless=true}) into a JFreeSVG {@code Graphics2D}.
 *
 * <p>One instance per page: it numbers the charts so that the SVG {@code <defs>} ids (clip paths)
 * are unique within the page and the output is deterministic. If AWT cannot render (a JRE without
 * fonts), a chart degrades to a one-line note and the page's tables still carry the numbers.
 */
final class Charts {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    // rotated labels (the y-axis title) as SVG <text> with a transform, not as glyph outlines
    TextUtils.setUseDrawRotatedStringWorkaround(false);
  }

  /** Line style of a series. */
  enum Stroke {
    SOLID,
    DASHED
  }

  /** One named series; {@code colour} null: the palette colour of its position. NaN = gap. */
  record Series(String name, double[] values, Color colour, Stroke stroke) {
    Series {
      values = values.clone();
    }

    static Series of(String name, double[] values) {
      return new Series(name, values, null, Stroke.SOLID);
    }
  }

  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    new Color(0xbcbd22), new Color(0x17becf)
  };
  private static final Color GRID = new Color(0xdddddd);
  static final int WIDTH = 640;
  static final int HEIGHT = 360;

  private int count;

  /** A line chart of {@code series} (each the same length as {@code xs}) against {@code xs}. */
  String line(String title, String xLabel, String yLabel, double[] xs, List<Series> series, boolean integerX) {
    return draw(title, () -> {
      XYSeriesCollection data = new XYSeriesCollection();
      for (Series s : series) {
        XYSeries xy = new XYSeries(s.name(), false, true);
        for (int i = 0; i < xs.length; i++) {
          double y = i < s.values().length ? s.values()[i] : Double.NaN;
          xy.add(Double.valueOf(xs[i]), Double.isFinite(y) ? Double.valueOf(y) : null);
        }
        data.addSeries(xy);
      }
      NumberAxis x = new NumberAxis(xLabel);
      if (integerX) {
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
      }
      x.setAutoRangeIncludesZero(false);
      NumberAxis y = new NumberAxis(yLabel);
      y.setAutoRangeIncludesZero(false);
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        r.setSeriesPaint(i, s.colour() == null ? palette(i) : s.colour());
        r.setSeriesStroke(i, s.stroke() == Stroke.DASHED
            ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
            : new BasicStroke(2f));
      }
      XYPlot plot = new XYPlot(data, x, y, r);
      style(plot);
      return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }, WIDTH, HEIGHT);
  }

  /** How several series share a category in a bar chart. */
  enum BarLayout {
    GROUPED,
    STACKED
  }

  /** A bar chart: one bar group (or stack) per category, one bar colour per series. */
  String bars(String title, String categoryLabel, String valueLabel, List<String> categories, List<Series> series,
      BarLayout layout) {
    return draw(title, () -> {
      DefaultCategoryDataset data = new DefaultCategoryDataset();
      for (Series s : series) {
        for (int i = 0; i < categories.size(); i++) {
          double v = i < s.values().length ? s.values()[i] : Double.NaN;
          data.addValue(Double.isFinite(v) ? Double.valueOf(v) : null, s.name(), categories.get(i));
        }
      }
      CategoryAxis x = new CategoryAxis(categoryLabel);
      if (categories.size() > 16) {
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
      }
      BarRenderer r = layout == BarLayout.STACKED ? new StackedBarRenderer() : new BarRenderer();
      r.setBarPainter(new StandardBarPainter());
      r.setShadowVisible(false);
      r.setItemMargin(0.05);
      for (int i = 0; i < series.size(); i++) {
        Series s = series.get(i);
        r.setSeriesPaint(i, s.colour() == null ? palette(i) : s.colour());
      }
      NumberAxis y = new NumberAxis(valueLabel);
      if (series.stream().allMatch(s -> allWhole(s.values()))) {
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
      }
      CategoryPlot plot = new CategoryPlot(data, x, y, r);
      plot.setOrientation(PlotOrientation.VERTICAL);
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(GRID);
      return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }, WIDTH, HEIGHT);
  }

  /**
   * A square heat-map of {@code matrix} (L x L) with {@code labels} on both axes and a colour
   * legend; the scale spans [0, 1] unless values fall outside it. Cells carry their value as text
   * when the matrix is small enough to read.
   */
  String heatMap(String title, String axisLabel, List<String> labels, double[][] matrix, String scaleLabel) {
    int n = labels.size();
    int size = Math.max(420, Math.min(900, 200 + 36 * n));
    return draw(title, () -> {
      double lo = 0;
      double hi = 1;
      double[] xs = new double[n * n];
      double[] ys = new double[n * n];
      double[] zs = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double v = i < matrix.length && j < matrix[i].length ? matrix[i][j] : Double.NaN;
          xs[i * n + j] = j;
          ys[i * n + j] = i;
          zs[i * n + j] = v;
          if (Double.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      }
      DefaultXYZDataset data = new DefaultXYZDataset();
      data.addSeries(scaleLabel, new double[][] {xs, ys, zs});
      String[] names = labels.toArray(String[]::new);
      SymbolAxis x = new SymbolAxis(axisLabel, names);
      x.setVerticalTickLabels(true);
      SymbolAxis y = new SymbolAxis(axisLabel, names);
      y.setInverted(true);
      for (SymbolAxis a : List.of(x, y)) {
        a.setGridBandsVisible(false);
        a.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 20 ? 8 : 10));
      }
      Scale scale = new Scale(lo, hi);
      XYBlockRenderer r = new XYBlockRenderer();
      r.setPaintScale(scale);
      XYPlot plot = new XYPlot(data, x, y, r);
      plot.setBackgroundPaint(new Color(0xf4f4f4));
      plot.setDomainGridlinesVisible(false);
      plot.setRangeGridlinesVisible(false);
      if (n <= 16) {
        for (int k = 0; k < zs.length; k++) {
          if (Double.isFinite(zs[k])) {
            XYTextAnnotation a = new XYTextAnnotation(String.format(Locale.ROOT, "%.2f", zs[k]), xs[k], ys[k]);
            a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
            a.setPaint(scale.fraction(zs[k]) > 0.55 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(a);
          }
        }
      }
      JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
      NumberAxis legendAxis = new NumberAxis(scaleLabel);
      legendAxis.setRange(lo, hi);
      PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
      legend.setPosition(RectangleEdge.RIGHT);
      legend.setMargin(new RectangleInsets(10, 10, 10, 10));
      legend.setStripWidth(14);
      legend.setSubdivisionCount(64);
      chart.addSubtitle(legend);
      return chart;
    }, size + 90, size);
  }

  /** White (low) to dark blue (high), linear in the value. */
  private static final class Scale implements PaintScale {
    private final double lo;
    private final double hi;

    Scale(double lo, double hi) {
      this.lo = lo;
      this.hi = hi > lo ? hi : lo + 1;
    }

    double fraction(double v) {
      return Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
    }

    @Override
    public double getLowerBound() {
      return lo;
    }

    @Override
    public double getUpperBound() {
      return hi;
    }

    @Override
    public Paint getPaint(double value) {
      if (!Double.isFinite(value)) {
        return new Color(0xcccccc);
      }
      double t = fraction(value);
      return new Color(mix(0xf7, 0x08, t), mix(0xfb, 0x30, t), mix(0xff, 0x6b, t));
    }

    private static int mix(int a, int b, double t) {
      return (int) Math.round(a + (b - a) * t);
    }
  }

  /** Builds the chart; run inside {@link #draw} so that any failure degrades to a note. */
  interface ChartMaker {
    JFreeChart make();
  }

  String draw(String title, ChartMaker maker, int width, int height) {
    int id = ++count;
    try {
      JFreeChart chart = maker.make();
      chart.setBackgroundPaint(Color.WHITE);
      chart.setAntiAlias(true);
      SVGGraphics2D g = new SVGGraphics2D(width, height);
      g.setDefsKeyPrefix("nlc" + id + "_");
      g.setGeomDoubleConverter(Charts::round1);
      g.setTransformDoubleConverter(Charts::round1);
      g.setRenderingHint(SVGHints.KEY_DRAW_STRING_TYPE, SVGHints.VALUE_DRAW_STRING_TYPE_STANDARD);
      chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
      return g.getSVGElement("chart" + id, true, new ViewBox(0, 0, width, height), null, null);
    } catch (RuntimeException | LinkageError | AWTError e) {
      return "<p class=\"nochart\">chart “" + Html.esc(title) + "” unavailable: " + Html.esc(String.valueOf(e)) + "</p>";
    }
  }

  private static boolean allWhole(double[] values) {
    for (double v : values) {
      if (Double.isFinite(v) && v != Math.rint(v)) {
        return false;
      }
    }
    return true;
  }

  /** Coordinates to one decimal (a tenth of a pixel): halves the SVG size, invisible on screen. */
  private static String round1(double v) {
    long tenths = Math.round(v * 10);
    return tenths % 10 == 0 ? Long.toString(tenths / 10) : Double.toString(tenths / 10.0);
  }

  private static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
  }

  /** The i-th colour of the categorical palette (tab10), cycling. */
  static Color palette(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  /** Colour {@code i} of {@code n} on a sequential purple-to-yellow ramp (for ordered layers). */
  static Color ramp(int i, int n) {
    double t = n <= 1 ? 0 : (double) i / (n - 1);
    float hue = (float) (0.75 - 0.62 * t);
    return Color.getHSBColor(hue, 0.85f, (float) (0.55 + 0.35 * t));
  }
}
