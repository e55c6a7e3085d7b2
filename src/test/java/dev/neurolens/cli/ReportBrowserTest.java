package dev.neurolens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.neurolens.model.EncoderModel;
import dev.neurolens.model.Models;
import dev.neurolens.model.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The report of a tiny-model analyze, opened in a real browser (Debian's chromium driven by
 * chromium-driver through Selenium; .ci/run installs both): no console errors, no request leaving
 * the file, every anchor reaches its section, the explorer filter, the concept section's heat-maps,
 * and a corpus full of script-injection payloads that injects nothing.
 */
class ReportBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Set by any payload that manages to run. */
  static final String FLAG = "__neurolensInjected";

  @TempDir static Path tmp;
  static Path report;
  static ChromeDriver driver;

  @BeforeAll
  static void analyzeAndOpen() throws Exception {
    boolean found = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!found) {
      System.err.println("ReportBrowserTest SKIPPED: " + CHROMIUM + " and " + DRIVER
          + " are needed (apt-get install -y chromium chromium-driver); .ci/run installs them");
    }
    Assumptions.assumeTrue(found, "no chromium/chromedriver: apt-get install -y chromium chromium-driver");
    Path model = tmp.resolve("tiny-model");
    try (EncoderModel m = TinyModels.random(8)) {
      Models.export(m, model);
    }
    Path corpus = tmp.resolve("src");
    Files.createDirectories(corpus);
    String payload = "</script><script>window." + FLAG + "=1</script><img src=x onerror=\"window." + FLAG + "=2\">";
    for (int i = 0; i < 8; i++) {
      String file = "P" + i + "<img src=x onerror=window." + FLAG + "=3>.java";
      Files.writeString(corpus.resolve(file), """
          class P%d {
            String html(int n) { return "%s" + n + %d; }
            int twice(int x) { /* </script><b onmouseover=x> */ return 2 * x + %d; }
            boolean flag(long v) { return v > %d && true; }
          }
          """.formatted(i, payload.replace("\"", "\\\""), i, i, i));
    }
    Path out = tmp.resolve("out");
    CliRun.exec(0, "analyze", "--model", model.toString(), "--corpus", corpus.toString(), "--tasks", "lexical,syntactic",
        "--max-snippets", "0", "--epochs", "2", "--neurons-per-class", "3", "--out", out.toString(), "--quiet");
    report = out.resolve("report.html");
    String html = Files.readString(report);
    assertTrue(html.contains("&lt;/script&gt;&lt;script&gt;window." + FLAG), "the payload reaches the page, escaped");

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,900");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    driver.get(report.toUri().toString());
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.quit();
    }
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  @Test
  void noConsoleErrors_noRequestLeavesTheFile_noPayloadRan() {
    List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    assertTrue(errors.isEmpty(), "console: " + errors);
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) js(
        "return performance.getEntriesByType('resource').map(function(e){return e.name;})");
    assertTrue(resources.stream().allMatch(u -> u.startsWith("file:") || u.startsWith("data:")), "requests: " + resources);
    assertNull(js("return window." + FLAG + " === undefined ? null : window." + FLAG), "a payload ran");
    assertEquals(0L, js("return document.querySelectorAll('img, iframe, object, embed, b[onmouseover]').length"));
    assertEquals(0L, js("return Array.from(document.querySelectorAll('*')).filter(function(e){"
        + "return Array.from(e.attributes).some(function(a){return a.name.indexOf('on')===0 && a.name!=='oninput'"
        + " && a.name!=='onclick';});}).length"), "no element with an injected event handler");
    assertEquals(1L, js("return document.querySelectorAll('script').length"), "only the report's own script");
  }

  @Test
  void everyNavAnchor_scrollsItsSectionIntoView() {
    List<WebElement> links = driver.findElements(By.cssSelector("nav a[href^='#']"));
    assertTrue(links.size() >= 6, "nav links: " + links.size());
    for (WebElement link : links) {
      String id = link.getAttribute("href").replaceAll(".*#", "");
      js("window.scrollTo(0, 0)");
      link.click();
      @SuppressWarnings("unchecked")
      Map<String, Object> at = (Map<String, Object>) js("var e=document.getElementById(arguments[0]);"
          + "if(!e){return null;} var r=e.getBoundingClientRect(); return {top:r.top, h:window.innerHeight,"
          + " hash: location.hash};", id);
      assertTrue(at != null, "section #" + id + " exists");
      double top = ((Number) at.get("top")).doubleValue();
      double h = ((Number) at.get("h")).doubleValue();
      assertTrue(top >= -1 && top < h, "#" + id + " in view after clicking its link (top " + top + ")");
      assertEquals("#" + id, at.get("hash"));
    }
  }

  @Test
  void explorerFilter_narrowsByConceptLayerAndToken() {
    js("document.getElementById('neurons').scrollIntoView()");
    List<WebElement> cards = driver.findElements(By.cssSelector("#neurons .neuron"));
    assertTrue(cards.size() >= 4, "cards: " + cards.size());
    WebElement box = driver.findElement(By.id("nlq"));
    // by layer
    box.clear();
    box.sendKeys("layer 1 ");
    List<WebElement> shown = visibleCards();
    assertTrue(!shown.isEmpty() && shown.size() < cards.size(), "layer filter: " + shown.size() + " of " + cards.size());
    for (WebElement c : shown) {
      assertTrue(c.findElement(By.tagName("h3")).getText().startsWith("Layer 1 "), c.getText());
    }
    // by a concept button
    List<WebElement> buttons = driver.findElements(By.cssSelector("#neurons button[data-q]:not([data-q=''])"));
    assertFalse(buttons.isEmpty());
    WebElement button = buttons.get(0);
    String concept = button.getText();
    button.click();
    shown = visibleCards();
    assertFalse(shown.isEmpty(), "concept " + concept);
    for (WebElement c : shown) {
      assertTrue(c.getAttribute("data-search").contains(concept.toLowerCase()), concept + " in " + c.getText());
    }
    // by a token the first card fires on
    String token = cards.get(0).findElement(By.cssSelector(".toptokens code")).getAttribute("textContent");
    assertFalse(token.isBlank());
    box.clear();
    box.sendKeys(token);
    shown = visibleCards();
    assertTrue(shown.contains(cards.get(0)), "token " + token);
    driver.findElement(By.cssSelector("#neurons button[data-q='']")).click();
    assertEquals(cards.size(), visibleCards().size(), "'all' shows every card again");
  }

  private static List<WebElement> visibleCards() {
    return driver.findElements(By.cssSelector("#neurons .neuron")).stream().filter(WebElement::isDisplayed).toList();
  }

  @Test
  void conceptSection_andHeatMaps_render() {
    WebElement section = driver.findElement(By.id("concepts"));
    assertTrue(section.isDisplayed());
    assertTrue(section.findElements(By.cssSelector(".concept table tr")).size() > 3);
    WebElement details = section.findElement(By.cssSelector("details.heatmaps"));
    js("arguments[0].open = true; arguments[0].scrollIntoView();", details);
    List<WebElement> tokens = details.findElements(By.cssSelector("pre.heat span.tok"));
    assertFalse(tokens.isEmpty());
    long shaded = tokens.stream().filter(t -> {
      String bg = t.getCssValue("background-color");
      return bg != null && !bg.equals("rgba(0, 0, 0, 0)") && !bg.equals("transparent");
    }).count();
    assertTrue(shaded > 0, "shaded heat-map tokens");
    assertTrue(tokens.get(0).getSize().getWidth() > 0, "tokens laid out");
    // explorer cards render theirs without opening anything
    assertTrue(driver.findElements(By.cssSelector("#neurons pre.heat span.tok")).stream()
        .anyMatch(WebElement::isDisplayed));
  }
}
