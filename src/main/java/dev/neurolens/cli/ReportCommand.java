package dev.neurolens.cli;

import dev.neurolens.analysis.AnalysisResult;
import dev.neurolens.report.HtmlReport;
import dev.neurolens.util.NeuroLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code neurolens report}: results.json (from {@code analyze}) to one self-contained report.html. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Render results.json (written by `analyze`) as one self-contained HTML report.")
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--results", required = true, paramLabel = "FILE", description = "results.json to render.")
  Path results;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "HTML file to write (atomically).")
  Path out;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    OutPaths.file("--out", out);
    HtmlReport.write(AnalysisResult.read(results), out);
    long bytes;
    try {
      bytes = Files.size(out);
    } catch (IOException e) {
      throw new NeuroLensException(out + ": report written but unreadable (" + e + ")", e);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("report", out.toString());
    json.put("bytes", bytes);
    output.emit(json, "report: " + out + " (" + bytes + " bytes)");
    return 0;
  }
}
