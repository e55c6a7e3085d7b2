package dev.neurolens.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neurolens.util.Json;
import dev.neurolens.util.NeuroLensException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class HtmlReportTest {
  private static final String SVG_NS = "http://www.w3.org/2000/svg";
  private static JsonNode sample;
  private static String html;

  @BeforeAll
  static void renderSample() throws Exception {
    try (InputStream in = HtmlReportTest.class.getResourceAsStream("results-sample.json")) {
      sample = Json.MAPPER.readTree(in);
    }
    html = HtmlReport.render(sample);
  }

  @Test
  void render_sample_wholePageParsesAsXml() throws Exception {
    Document doc = parse(html);
    assertEquals("html", doc.getDocumentElement().getLocalName());
    // exactly our own script element: no token from the code made it in as markup
    assertEquals(1, doc.getElementsByTagNameNS("*", "script").getLength());
  }

  @Test
  void render_sample_everySvgFragmentParsesWithTitleAxesAndLegend() throws Exception {
    List<String> svgs = svgFragments(html);
    // lexical: layers, selectivity, layer distribution, per-class layers, 2 ablation;
    // nesting: layers, selectivity; clustering: total and per layer; CKA heat-map
    assertEquals(11, svgs.size());
    for (String svg : svgs) {
      Element root = parse(svg).getDocumentElement();
      assertEquals(SVG_NS, root.getNamespaceURI());
      assertEquals("svg", root.getLocalName());
      assertTrue(root.getElementsByTagNameNS(SVG_NS, "text").getLength() >= 3, "title + axis labels as text");
    }
    assertTrue(html.contains(">layer</text>"), "axis label 'layer'");
    assertTrue(html.contains(">accuracy</text>"), "y axis label 'accuracy'");
    assertTrue(html.contains(">control task (test)</text>"), "legend entry");
    assertTrue(html.contains(">CKA</text>"), "colour scale legend of the heat-map");
    assertFalse(html.contains("class=\"nochart\""), "all charts rendered");
  }

  @Test
  void render_sample_everyTaskNameAppearsEscaped() {
    for (JsonNode task : sample.get("tasks")) {
      String escaped = Html.esc(task.get("task").asText());
      assertTrue(html.contains("Task: " + escaped), task.get("task").asText());
    }
    assertFalse(html.contains("<depth>"), "task name must not appear as raw markup");
  }

  @Test
  void render_sample_noNetworkReferencesExceptNamespaces() {
    Matcher m = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+").matcher(html);
    List<String> bad = new ArrayList<>();
    while (m.find()) {
      String before = html.substring(Math.max(0, m.start() - 20), m.start());
      if (!before.matches("(?s).*xmlns(:\\w+)?=['\"]$")) {
        bad.add(before + m.group());
      }
    }
    assertTrue(bad.isEmpty(), "network references: " + bad);
    String lower = html.toLowerCase(Locale.ROOT);
    for (String tag : List.of("<link", "<img", "<iframe", "src=", "@import", "url(http")) {
      assertFalse(lower.contains(tag), tag);
    }
  }

  @Test
  void render_sample_codeTokensAreEscaped() {
    assertFalse(html.contains("<script>alert"), "script-like token must be escaped");
    assertTrue(html.contains("&quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;"));
    assertTrue(html.contains(">&amp;&amp;</span>"), "operator && escaped");
    assertTrue(html.contains(">&lt;</span>"), "operator < escaped");
  }

  @Test
  void render_sample_tablesCarryTheNumbers() {
    JsonNode lexical = sample.get("tasks").get(0);
    String oracleTest = String.format(Locale.ROOT, "%.3f", lexical.get("oracle").get("test").asDouble());
    assertTrue(html.contains("<td>oracle</td><td>all layers</td>"));
    assertTrue(html.contains("<td>" + oracleTest + "</td>"));
    double cka01 = sample.get("cka").get("matrix").get(0).get(1).asDouble();
    assertTrue(html.contains("<td>" + String.format(Locale.ROOT, "%.3f", cka01) + "</td>"));
    int total0 = sample.get("clustering").get("total_independent").get(0).asInt();
    assertTrue(html.contains("<td>" + String.format(Locale.ROOT, "%,d", total0) + "</td>"));
    for (JsonNode neuron : sample.get("neurons")) {
      assertTrue(html.contains("concept: <b>" + neuron.get("concept").asText() + "</b>"));
    }
  }

  @Test
  void render_sample_elementIdsUniqueAcrossCharts() {
    Matcher m = Pattern.compile("\\sid=['\"]([^'\"]+)['\"]").matcher(html);
    java.util.Set<String> seen = new java.util.HashSet<>();
    int count = 0;
    while (m.find()) {
      count++;
      assertTrue(seen.add(m.group(1)), "duplicate id " + m.group(1));
    }
    assertTrue(count > 20, "clip paths of 10 charts have ids");
  }

  @Test
  void render_unknownTopLevelFields_shownInHeader() throws Exception {
    String page = HtmlReport.render(Json.MAPPER.readTree(
        "{\"model\":{},\"corpus\":{},\"settings\":{\"probe\":\"elastic-net\",\"l1\":0.001},\"note\":\"x<y\"}"));
    parse(page);
    assertTrue(page.contains("<th>settings</th>"));
    assertTrue(page.contains("<td>probe</td><td>elastic-net</td>"));
    assertTrue(page.contains("<td>note</td><td>x&lt;y</td>"));
  }

  @Test
  void draw_chartFails_degradesToEscapedNote() throws Exception {
    String out = new Charts().draw("t<1>", () -> {
      throw new IllegalStateException("no fonts & no luck");
    }, 100, 100);
    assertTrue(out.startsWith("<p class=\"nochart\">"), out);
    assertTrue(out.contains("t&lt;1&gt;") && out.contains("no fonts &amp; no luck"), out);
    parse(out);
  }

  @Test
  void perClassLayers_countsTopNeuronsPerLayer() throws Exception {
    JsonNode perClass = Json.MAPPER.readTree(
        "{\"A\":[{\"layer\":0},{\"layer\":2},{\"layer\":\"NaN\"}],\"B\":[{\"layer\":2}],\"C\":[]}");
    List<Charts.Series> s = TaskSection.perClassLayers(perClass, 0);
    assertEquals(List.of("A", "B", "C"), s.stream().map(Charts.Series::name).toList());
    assertArrayEquals(new double[] {1, 0, 1}, s.get(0).values());
    assertArrayEquals(new double[] {0, 0, 1}, s.get(1).values());
    assertArrayEquals(new double[] {0, 0, 0}, s.get(2).values());
    assertEquals(4, TaskSection.perClassLayers(perClass, 4).get(0).values().length);
    assertTrue(TaskSection.perClassLayers(Json.MAPPER.readTree("{\"A\":[]}"), 3).isEmpty());
  }

  @Test
  void heatMap_signAndMagnitude_opacityIsAbsOverMax() {
    List<JsonNode> tokens = tokens("a", "b", "c", "d");
    String out = NeuronExplorer.heatMap(tokens, new double[] {1.0, -2.0, 0.0, Double.NaN}, 2.0);
    assertTrue(out.contains("style=\"background-color:rgba(214,39,40,0.500)\" title=\"1\">a<"), out);
    assertTrue(out.contains("style=\"background-color:rgba(31,119,180,1.000)\" title=\"-2\">b<"), out);
    assertTrue(out.contains("<span class=\"tok\" title=\"0\">c</span>"), out);
    assertTrue(out.contains("<span class=\"tok\" title=\"n/a\">d</span>"), out);
  }

  @Test
  void heatMap_allZeroValues_noColourNoDivisionByZero() throws Exception {
    List<JsonNode> tokens = tokens("x", "<", "y");
    String out = NeuronExplorer.heatMap(tokens, new double[] {0, 0, 0}, NeuronExplorer.maxAbs(List.of()));
    assertFalse(out.contains("background-color"), out);
    assertFalse(out.contains("NaN"), out);
    assertTrue(out.contains(">&lt;</span>"));
    parse(out);
  }

  @Test
  void render_onlyModelAndCorpus_skipsAllSections() throws Exception {
    String page = HtmlReport.render(Json.MAPPER.readTree("{\"model\":{\"id\":\"m<1>\"},\"corpus\":{}}"));
    parse(page);
    assertTrue(page.contains("NeuroLens report — m&lt;1&gt;"));
    assertFalse(page.contains("<svg"));
    for (String id : List.of("Task:", "id=\"clustering\"", "id=\"cka\"", "id=\"neurons\"")) {
      assertFalse(page.contains(id), id);
    }
  }

  @Test
  void render_nanNullAndEmptyValues_rendersDashesWithoutCrash() throws Exception {
    String json = """
        {"model":{"id":"m"},"corpus":{},
         "tasks":[{"task":"t1","layers":[{"layer":0,"train":"NaN","dev":null,"test":"Infinity"},{"layer":"x"}],
                   "oracle":{}, "top_neurons":{"per_class":{"A":[]}}, "layer_distribution":[],
                   "ablation":[{"k_percent":1}], "redundancy":{"pipeline":[{}]}},
                  {"task":"t2"}, 7],
         "clustering":{"thresholds":[0.1,0.2],"layers":[0,1],"independent_per_layer":[[1]],"total_independent":[]},
         "cka":{"layers":[],"matrix":[[1.0,"NaN"],[null]]},
         "neurons":[{}, {"examples":[{"tokens":["a"],"values":[]}]}],
         "timings":{}}
        """;
    String page = HtmlReport.render(Json.MAPPER.readTree(json));
    parse(page);
    for (String svg : svgFragments(page)) {
      parse(svg);
    }
    assertTrue(page.contains("Task: t1") && page.contains("Task: t2"));
    assertTrue(page.contains("<td>" + Html.MISSING + "</td>"));
    assertFalse(page.contains(">NaN<"));
  }

  @Test
  void write_sample_writesWholeFileAndNoTempLeft(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("sub/report.html");
    HtmlReport.write(sample, out);
    assertEquals(html, Files.readString(out));
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertEquals(List.of(out), files.toList());
    }
  }

  @Test
  void read_badInputs_oneLineNamingTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.json");
    Path corrupt = dir.resolve("corrupt.json");
    Files.writeString(corrupt, "{\"model\": {\"id\": ");
    Path array = dir.resolve("array.json");
    Files.writeString(array, "[1,2]");
    Path noModel = dir.resolve("nomodel.json");
    Files.writeString(noModel, "{\"corpus\":{}}");
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "");
    for (Path p : List.of(missing, corrupt, array, noModel, empty)) {
      NeuroLensException e = assertThrows(NeuroLensException.class, () -> HtmlReport.read(p));
      assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void read_bareNanTokens_accepted(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(f, "{\"model\":{},\"corpus\":{},\"tasks\":[{\"task\":\"t\",\"layers\":[{\"layer\":0,\"test\":NaN}]}]}");
    JsonNode tree = HtmlReport.read(f);
    assertTrue(Double.isNaN(Html.num(tree.get("tasks").get(0).get("layers").get(0), "test")));
    assertNotNull(parse(HtmlReport.render(tree)));
  }

  private static List<JsonNode> tokens(String... texts) {
    List<JsonNode> out = new ArrayList<>();
    for (String t : texts) {
      out.add(Json.MAPPER.getNodeFactory().textNode(t));
    }
    return out;
  }

  static List<String> svgFragments(String page) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)<svg\\b.*?</svg>").matcher(page);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  static Document parse(String xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setErrorHandler(null);
    return b.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}
